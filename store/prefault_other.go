//go:build !linux

package store

// prefault does nothing where the kernel cannot map pages ahead.
func prefault([]byte) {}

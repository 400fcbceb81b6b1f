package store

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

var pageSize = uintptr(os.Getpagesize())

// release tells the kernel that the pages of a chunk value in bbolt's
// memory map are not needed any more, once a scan worker has decoded
// what it wanted (decoding copies; nothing keeps pointing into the map).
// bbolt maps the file read-only and shared and never writes through the
// map, so a released page is only dropped from this process's resident
// set and read again from the page cache if touched: a full scan of a
// store larger than memory no longer counts the whole file in its RSS.
func release(b []byte) {
	if len(b) < int(2*pageSize) {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	start := uintptr(p)
	end := start + uintptr(len(b))
	first := (start + pageSize - 1) &^ (pageSize - 1) // whole pages only
	last := end &^ (pageSize - 1)
	if last <= first {
		return
	}
	pages := unsafe.Slice((*byte)(unsafe.Add(p, first-start)), last-first)
	unix.Madvise(pages, unix.MADV_DONTNEED)
}

package store

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// prefault maps the pages of a chunk value in bbolt's memory map into the
// process in one call before a worker decodes it: touching them one by
// one took a page fault each, as much time as the decoding on a search
// of a whole store. Kernels before 5.14 refuse the advice, which is
// harmless.
func prefault(b []byte) {
	if len(b) < int(2*pageSize) {
		return
	}
	// Whole pages: from the start of the first (inside the map, which
	// bbolt makes of whole pages) to the end of the last.
	p := unsafe.Pointer(unsafe.SliceData(b))
	head := uintptr(p) & (pageSize - 1)
	n := (head + uintptr(len(b)) + pageSize - 1) &^ (pageSize - 1)
	pages := unsafe.Slice((*byte)(unsafe.Add(p, -int(head))), n)
	unix.Madvise(pages, unix.MADV_POPULATE_READ)
}

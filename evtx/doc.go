// Package evtx reads Windows XML Event Log (EVTX) files.
package evtx

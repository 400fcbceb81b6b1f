package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"loghunt/evtx"
	"loghunt/store"
	"loghunt/store/storetest"
)

// TestIngestEVTXResume stores the source record that an ingest
// interrupted after a commit leaves (the offset of the next record to
// read, the file's fingerprint), ingests the file and checks that exactly
// the records from that offset on are added, then that a second ingest
// adds nothing.
func TestIngestEVTXResume(t *testing.T) {
	path := filepath.Join(needDatasets(t, "evtx_attack_samples"), "Lateral Movement", "LM_5145_Remote_FileCopy.evtx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := evtx.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var recs []*evtx.Record
	for r, err := range f.Records() {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	cut := len(recs) / 3
	abs, _ := filepath.Abs(path)
	db := storetest.Open(t)
	fi, _ := os.Stat(path)
	err = db.Write(func(w *store.WriteTx) error {
		return w.PutSource(&store.Source{Key: abs, Path: path, Name: path, Sourcetype: "evtx",
			Offset: recs[cut].Offset, Lines: int64(cut), Fingerprint: fingerprint(data, fingerprintLen),
			FingerprintLen: fingerprintLen, ModTime: fi.ModTime().UnixNano()})
	})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Ingest(context.Background(), db, Config{}, []string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events != int64(len(recs)-cut) {
		t.Errorf("resumed ingest stored %d events, want the %d from record %d on", sum.Events, len(recs)-cut, cut)
	}
	var want []string
	for _, r := range recs[cut:] {
		want = append(want, r.XML)
	}
	got := raws(allEvents(t, db))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored %d events, not the records after the cut", len(got))
	}
	src, _, err := db.GetSource(abs)
	if err != nil || src.Offset != int64(len(data)) || src.Lines != int64(len(recs)) {
		t.Errorf("source record %+v, %v: want offset %d and %d records", src, err, len(data), len(recs))
	}
	sum, err = Ingest(context.Background(), db, Config{}, []string{path}, nil)
	if err != nil || sum.Events != 0 {
		t.Errorf("second ingest: %d events, %v", sum.Events, err)
	}
}

// TestEVTXFormatKnown: --format evtx and a stored sourcetype evtx are
// known names, and the format never wins line detection.
func TestEVTXFormatKnown(t *testing.T) {
	f, ok := Lookup("evtx")
	if !ok {
		t.Fatal("Lookup(evtx) failed")
	}
	if _, err := f.NewParser(nil, Options{}); err == nil {
		t.Error("evtx NewParser: want an error (read whole, not by lines)")
	}
	if Detect([]string{"ElfFile"}).Name() == "evtx" {
		t.Error("Detect picked evtx from lines")
	}
	if !isEVTX([]byte("ElfFile\x00\x01")) || isEVTX([]byte("ElfFile")) {
		t.Error("isEVTX")
	}
}

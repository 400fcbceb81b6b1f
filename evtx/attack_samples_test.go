package evtx

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestAttackSamplesDecodeEveryRecord decodes every file of the EVTX attack
// samples and checks that each yields exactly the records its headers
// announce: for each chunk, the identifiers FirstRecordID..LastRecordID,
// each once and in that chunk; for the file, as many chunks as the header
// counts and a last identifier just before its next record identifier.
func TestAttackSamplesDecodeEveryRecord(t *testing.T) {
	root := needDatasets(t, "evtx_attack_samples")
	files := findFiles(t, root, ".evtx")
	if len(files) < 270 {
		t.Fatalf("found %d .evtx files under %s, want the 277 of the dataset", len(files), root)
	}
	var records, chunks, damaged int
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		hs, errs := f.Chunks()
		for i, err := range errs {
			if err != nil {
				t.Errorf("%s: chunk %d: %v", rel, hs[i].Index, err)
			}
		}
		if len(hs) != int(f.Header.NumChunks) {
			t.Errorf("%s: %d chunks, the header counts %d", rel, len(hs), f.Header.NumChunks)
		}
		seen := map[uint64]int{} // record id -> chunk index
		n := 0
		for r, err := range f.Records() {
			if err != nil {
				damaged++
				t.Errorf("%s: %v", rel, err)
				continue
			}
			if c, dup := seen[r.ID]; dup {
				t.Errorf("%s: record %d twice (chunks %d and %d)", rel, r.ID, c, chunkOf(r.Offset))
			}
			seen[r.ID] = chunkOf(r.Offset)
			n++
		}
		var announced, lastID uint64
		for _, h := range hs {
			announced += h.Records()
			lastID = max(lastID, h.LastRecordID)
			for id := h.FirstRecordID; id <= h.LastRecordID; id++ {
				if c, ok := seen[id]; !ok || c != h.Index {
					t.Errorf("%s: chunk %d announces record %d: found %v in chunk %d", rel, h.Index, id, ok, c)
				}
			}
		}
		if uint64(n) != announced {
			t.Errorf("%s: %d records decoded, the chunk headers announce %d", rel, n, announced)
		}
		if len(hs) > 0 && lastID+1 != f.Header.NextRecordID {
			t.Errorf("%s: last record %d, the file header's next record is %d", rel, lastID, f.Header.NextRecordID)
		}
		records += n
		chunks += len(hs)
	}
	t.Logf("attack samples: %d files, %d chunks, %d records decoded, %d skipped as damaged", len(files), chunks, records, damaged)
}

func chunkOf(off int64) int { return int((off - fileHeaderSize) / chunkSize) }

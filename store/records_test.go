package store

import (
	"errors"
	"fmt"
	"testing"
)

func TestRecordsCommitWithChunks(t *testing.T) {
	db := openTest(t)
	// A write that fails keeps neither its records nor anything else.
	boom := errors.New("boom")
	err := db.Write(func(w *WriteTx) error {
		r, err := w.Records("alerts")
		if err != nil {
			return err
		}
		if err := r.Put([]byte("a"), []byte("1")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write: %v", err)
	}
	if err := db.ReadRecords("alerts", func(r *Records) error {
		if v := r.Get([]byte("a")); v != nil {
			return fmt.Errorf("rolled back record is there: %q", v)
		}
		return r.Put([]byte("x"), nil)
	}); !errors.Is(err, ErrReadOnlyRecords) {
		t.Fatalf("read-only put: %v", err)
	}
	for i := 0; i < 3; i++ {
		if err := db.UpdateRecords(func(w *WriteTx) error {
			r, err := w.Records("alerts")
			if err != nil {
				return err
			}
			id, err := r.NextID()
			if err != nil {
				return err
			}
			return r.Put([]byte(fmt.Sprintf("%03d", id)), []byte(fmt.Sprint(id*10)))
		}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := db.ReadRecords("alerts", func(r *Records) error {
		return r.ForEach([]byte("002"), func(k, v []byte) (bool, error) {
			got = append(got, string(k)+"="+string(v))
			return true, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[002=20 003=30]" {
		t.Fatalf("records %v", got)
	}
	if _, err := (&WriteTx{}).Records(""); err == nil {
		t.Fatal("empty bucket name accepted")
	}
	if err := db.Check(); err != nil {
		t.Fatalf("check with record buckets: %v", err)
	}
}

package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/golden")

// TestGolden runs the end-to-end cases of testdata/golden: each txtar file
// holds logs, optional ingest flags (args), a query, and the expected CSV
// output (want) or error (error, with the caret rendering). -update
// rewrites the expected sections for a person to review.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			db := filepath.Join(dir, "golden.db")
			var logs []string
			var q, want, wantErr string
			args := []string{}
			hasErr := false
			for _, f := range ar.Files {
				switch f.Name {
				case "query":
					q = strings.TrimSpace(string(f.Data))
				case "want":
					want = string(f.Data)
				case "error":
					wantErr, hasErr = string(f.Data), true
				case "args":
					args = strings.Fields(string(f.Data))
				default:
					p := filepath.Join(dir, f.Name)
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
					logs = append(logs, p)
				}
			}
			var out, errb bytes.Buffer
			if len(logs) > 0 {
				ingestArgs := append(append([]string{"--db", db, "ingest"}, args...), logs...)
				if err := cli(context.Background(), ingestArgs, nil, &out, &errb); err != nil {
					t.Fatalf("ingest: %v\n%s", err, errb.String())
				}
			}
			out.Reset()
			errb.Reset()
			err = cli(context.Background(), []string{"--db", db, "query", "--format", "csv", q}, nil, &out, &errb)
			code := exitCode(err, &errb)
			gotErr := strings.ReplaceAll(errb.String(), dir+string(filepath.Separator), "")
			if *update {
				for i := range ar.Files {
					switch ar.Files[i].Name {
					case "want":
						ar.Files[i].Data = out.Bytes()
					case "error":
						ar.Files[i].Data = []byte(gotErr)
					}
				}
				os.WriteFile(file, txtar.Format(ar), 0o644)
				return
			}
			if hasErr {
				if code != 2 && code != 1 || gotErr != wantErr {
					t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, gotErr, wantErr)
				}
				return
			}
			if code != 0 || out.String() != want {
				t.Errorf("exit %d (%s)\ngot:\n%s\nwant:\n%s", code, errb.String(), out.String(), want)
			}
		})
	}
}

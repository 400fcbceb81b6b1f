package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"loghunt/evtx"
)

// The EVTX tests run the built binary on the EVTX attack samples
// (../shared/datasets/evtx_attack_samples) and compare what the store
// holds with what package evtx reads from the same files.

func evtxSamples(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(shared, "datasets", "evtx_attack_samples")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("EVTX attack samples not available: %v", err)
	}
	return dir
}

// evtxCounts reads path with package evtx: the records by EventID, and
// the damaged parts it reports.
func evtxCounts(t *testing.T, path string) (map[string]int, int) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := evtx.Open(fh, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	counts, damaged := map[string]int{}, 0
	for r, err := range f.Records() {
		if err != nil {
			damaged++
			continue
		}
		id, ok := r.Get("EventID")
		if !ok {
			t.Fatalf("%s: record %d has no EventID", path, r.ID)
		}
		counts[id.Text]++
	}
	return counts, damaged
}

// queryCounts runs a `stats count by` query with --format csv and returns
// the counts keyed by the by-fields joined with "|".
func queryCounts(t *testing.T, bin, db, q string) map[string]int {
	t.Helper()
	out, errs, code := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", q)
	if code != 0 {
		t.Fatalf("query %q: exit %d: %s", q, code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("query %q: %v\n%s", q, err, out)
	}
	got := map[string]int{}
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[len(row)-1])
		if err != nil {
			t.Fatalf("query %q: row %v", q, row)
		}
		got[strings.Join(row[:len(row)-1], "|")] += n
	}
	return got
}

func TestIngestEVTXByEventID(t *testing.T) {
	dir := evtxSamples(t)
	bin := buildLoghunt(t)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "evtx.db")
	a := filepath.Join(dir, "Credential Access", "ACL_ForcePwd_SPNAdd_User_Computer_Accounts.evtx")
	// The second file under a name that says nothing: detected by its magic.
	orig := filepath.Join(dir, "Lateral Movement", "LM_5145_Remote_FileCopy.evtx")
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(tmp, "copied.bin")
	if err := os.WriteFile(b, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := loghuntRun(t, bin, "--db", db, "ingest", a, b)
	if code != 0 || errs != "" {
		t.Fatalf("ingest: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	want := map[string]int{}
	total := 0
	for _, p := range []string{a, b} {
		counts, damaged := evtxCounts(t, p)
		if damaged != 0 {
			t.Fatalf("%s: %d damaged parts, want a clean sample", p, damaged)
		}
		for id, n := range counts {
			want[p+"|"+id] += n
			total += n
		}
	}
	if !strings.Contains(out, " "+strconv.Itoa(total)+" events") {
		t.Errorf("ingest summary %q does not say %d events", out, total)
	}
	check := func(when string) {
		t.Helper()
		got := queryCounts(t, bin, db, `sourcetype=evtx | stats count by source, EventID`)
		if len(got) != len(want) {
			t.Errorf("%s: %d (source, EventID) groups, want %d: %v", when, len(got), len(want), got)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %s: %d events, evtx reads %d records", when, k, got[k], n)
			}
		}
	}
	check("first ingest")
	if len(want) < 3 {
		t.Fatalf("only %d EventIDs in the samples: a weak test", len(want))
	}

	// EventID is stored as an integer: a numeric range query counts what
	// the same range over the records counts.
	wantRange := 0
	for k, n := range want {
		if id, _ := strconv.Atoi(k[strings.LastIndexByte(k, '|')+1:]); id >= 4700 && id < 5000 {
			wantRange += n
		}
	}
	gotRange := queryCounts(t, bin, db, `EventID>=4700 EventID<5000 | stats count`)
	if gotRange[""] != wantRange || wantRange == 0 {
		t.Errorf("EventID>=4700 EventID<5000: %v, want %d", gotRange, wantRange)
	}

	// Again: nothing is added.
	out, errs, code = loghuntRun(t, bin, "--db", db, "ingest", a, b)
	if code != 0 || errs != "" || !strings.Contains(out, " 0 events") {
		t.Fatalf("second ingest: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	check("second ingest")
}

// TestIngestEVTXTime checks _time against TimeCreated_SystemTime, which
// the event carries as a field too.
func TestIngestEVTXTime(t *testing.T) {
	dir := evtxSamples(t)
	bin := buildLoghunt(t)
	db := filepath.Join(t.TempDir(), "evtx.db")
	a := filepath.Join(dir, "Lateral Movement", "LM_5145_Remote_FileCopy.evtx")
	if _, errs, code := loghuntRun(t, bin, "--db", db, "ingest", a); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	out, errs, code := loghuntRun(t, bin, "--db", db, "query", "--format", "csv", `* | table _time, TimeCreated_SystemTime, EventRecordID`)
	if code != 0 {
		t.Fatalf("query: exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("query: %v\n%s", err, out)
	}
	for _, row := range rows[1:] {
		// _time prints up to nanoseconds without trailing zeros; the
		// FILETIME text has seven decimals.
		tc := strings.TrimSuffix(row[1], "Z")
		tc = strings.TrimRight(strings.TrimRight(tc, "0"), ".") + "Z"
		if row[0] != tc {
			t.Errorf("record %s: _time %s, TimeCreated %s", row[2], row[0], row[1])
		}
	}
}

// TestIngestEVTXAllSamples ingests the whole attack samples folder and
// checks that every file's records are all stored, as package evtx reads
// them.
func TestIngestEVTXAllSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := evtxSamples(t)
	bin := buildLoghunt(t)
	db := filepath.Join(t.TempDir(), "all.db")
	out, errs, code := loghuntRun(t, bin, "--db", db, "ingest", dir)
	if code != 0 {
		t.Fatalf("ingest: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if strings.Contains(errs, "damaged") || strings.Contains(errs, "binary") {
		t.Errorf("ingest warned:\n%s", errs)
	}
	want := map[string]int{}
	files, total := 0, 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".evtx") {
			return err
		}
		counts, damaged := evtxCounts(t, p)
		if damaged != 0 {
			t.Errorf("%s: evtx reports %d damaged parts", p, damaged)
		}
		files++
		for _, n := range counts {
			want[p] += n
			total += n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := queryCounts(t, bin, db, `* | stats count by source`)
	stored := 0
	for p, n := range want {
		if got[p] != n {
			t.Errorf("%s: %d events stored, evtx reads %d records", p, got[p], n)
		}
		stored += got[p]
	}
	if len(got) != len(want) {
		t.Errorf("%d sources stored, %d .evtx files", len(got), len(want))
	}
	if !strings.Contains(out, "ingested "+strconv.Itoa(files)+" files: ") || !strings.Contains(out, " "+strconv.Itoa(total)+" events") {
		t.Errorf("summary %q, want %d files and %d events", out, files, total)
	}
	t.Logf("evtx_attack_samples: %d files, %d records read by package evtx, %d events stored; %s", files, total, stored, strings.TrimSpace(out))
}

// TestIngestEVTXDamaged ingests copies of a sample with a damaged chunk
// header, a damaged record and a cut end: each damaged part is warned of
// with the file and its offset, the rest is stored (as many events as
// package evtx reads records), and the exit code is 0; a file of which
// nothing can be read exits 1.
func TestIngestEVTXDamaged(t *testing.T) {
	dir := evtxSamples(t)
	bin := buildLoghunt(t)
	tmp := t.TempDir()
	src := filepath.Join(dir, "Lateral Movement", "LM_5145_Remote_FileCopy.evtx") // 10 chunks
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 64 << 10
	if len(data) < 4096+10*chunk {
		t.Fatalf("%s: %d bytes, want at least 10 chunks", src, len(data))
	}
	bad := append([]byte(nil), data...)
	bad[4096+chunk+8] ^= 0xff // chunk 1: its header checksum fails
	// chunk 2: the first record's signature.
	bad[4096+2*chunk+512] ^= 0xff
	bad = bad[:4096+9*chunk+chunk/2] // the last chunk cut in half
	path := filepath.Join(tmp, "damaged.evtx")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	cleanCounts, _ := evtxCounts(t, src)
	badCounts, damaged := evtxCounts(t, path)
	clean, kept := 0, 0
	for _, n := range cleanCounts {
		clean += n
	}
	for _, n := range badCounts {
		kept += n
	}
	if damaged < 3 || kept == 0 || kept >= clean {
		t.Fatalf("the damaged copy: %d damaged parts, %d of %d records readable", damaged, kept, clean)
	}
	db := filepath.Join(tmp, "d.db")
	out, errs, code := loghuntRun(t, bin, "--db", db, "ingest", path)
	if code != 0 {
		t.Fatalf("ingest: exit %d, want 0\nstdout: %s\nstderr: %s", code, out, errs)
	}
	warn := regexp.MustCompile(`(?m)^loghunt: warning: ` + regexp.QuoteMeta(path) + `: damaged: offset 0x([0-9a-f]+) \(chunk (\d+)\): `)
	ws := warn.FindAllStringSubmatch(errs, -1)
	if len(ws) != damaged {
		t.Errorf("%d damage warnings, evtx reports %d damaged parts:\n%s", len(ws), damaged, errs)
	}
	offsets := map[int64]bool{}
	for _, w := range ws {
		off, _ := strconv.ParseInt(w[1], 16, 64)
		offsets[off] = true
	}
	for _, off := range []int64{4096 + chunk, 4096 + 2*chunk + 512} {
		if !offsets[off] {
			t.Errorf("no warning at offset 0x%x:\n%s", off, errs)
		}
	}
	if !strings.Contains(out, " "+strconv.Itoa(kept)+" events") || !strings.Contains(out, strconv.Itoa(damaged)+" damaged evtx parts (warned of above)") {
		t.Errorf("summary %q, want %d events and %d damaged parts", out, kept, damaged)
	}
	got := queryCounts(t, bin, db, `* | stats count by EventID`)
	for id, n := range badCounts {
		if got[id] != n {
			t.Errorf("EventID %s: %d events stored, evtx reads %d", id, got[id], n)
		}
	}

	// Nothing readable: the signature, then garbage.
	junk := append([]byte("ElfFile\x00"), make([]byte, 3*4096)...)
	for i := 8; i < len(junk); i++ {
		junk[i] = byte(i * 7)
	}
	jpath := filepath.Join(tmp, "junk.evtx")
	if err := os.WriteFile(jpath, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = loghuntRun(t, bin, "--db", db, "ingest", jpath)
	if code != 1 || !strings.Contains(errs, jpath) || !strings.Contains(errs, "no record could be read") {
		t.Errorf("junk evtx: exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errs)
	}
	// --format evtx on a file that is none.
	txt := filepath.Join(tmp, "a.log")
	os.WriteFile(txt, []byte("hello\n"), 0o600)
	out, errs, code = loghuntRun(t, bin, "--db", db, "ingest", "--format", "evtx", txt)
	if code != 1 || !strings.Contains(errs, txt+": evtx: not an evtx file") {
		t.Errorf("--format evtx on text: exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

package refeval

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loghunt/ingest"
	"loghunt/store"
)

// datasets is the shared folder of real logs.
var datasets = filepath.Join("..", "..", "..", "shared", "datasets")

// realFile is a slice of a real log for a store: lines from a random
// place, keeping a Zeek TSV file's # header lines.
type realFile struct {
	path  string // under datasets
	lines int    // how many lines to take
}

// realStores are the stores made of real logs: several sources each, so
// that chunks of different sources overlap in time, one of them longer
// than a _raw block (1,024 events), whose fields ingest may cut out of it.
var realStores = map[string][]realFile{
	"auth": {{"authlog/secrepo_auth.log", 2500}, {"authlog/dfrws2009_auth.log", 400},
		{"authlog/elastic_suspicious_login_auth.log", 300}},
	"web": {{"weblogs/elastic_apache_logs.log", 2200}, {"weblogs/ocatak_w3af_scan.log", 300},
		{"weblogs/ocatak_acunetix_scan.log", 300}},
	"zeek": {{"zeek/wrccdc2018_tsv/dns.log.gz", 400}, {"zeek/wrccdc2018_tsv/ssl.log.gz", 300},
		{"zeek/wrccdc2018_tsv/weird.log.gz", 200}, {"zeek/otrf_apt29/apt29_day1_combined_zeek.jsonl", 500}},
}

// readLines reads a (possibly gzipped) file's lines.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// realStore ingests slices of the files into a new store; nil when the
// shared data sets are absent.
func realStore(t testing.TB, name string, rnd *rand.Rand) *store.DB {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, rf := range realStores[name] {
		lines, err := readLines(filepath.Join(datasets, rf.path))
		if err != nil {
			t.Logf("store %s skipped: the shared data sets are not available: %v", name, err)
			return nil
		}
		var head, body []string
		for _, l := range lines {
			if strings.HasPrefix(l, "#") && len(body) == 0 {
				head = append(head, l)
			} else if !strings.HasPrefix(l, "#") {
				body = append(body, l)
			}
		}
		start := rnd.IntN(max(1, len(body)-rf.lines))
		body = body[start:min(len(body), start+rf.lines)]
		base := strings.TrimSuffix(filepath.Base(rf.path), ".gz")
		p := filepath.Join(dir, fmt.Sprintf("%d_%s", i, base))
		if err := os.WriteFile(p, []byte(strings.Join(append(head, body...), "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	db := openStore(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2024}, paths, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// openStore creates a store in a temporary directory; closeStore checks
// and closes it when its queries are done, so that a long run does not
// keep dozens of stores mapped.
func openStore(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "diff.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func closeStore(t testing.TB, db *store.DB) {
	t.Helper()
	if err := db.Check(); err != nil {
		t.Errorf("store check: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
	os.Remove(db.Path())
}

// genBase is the first second of generated events.
const genBase = int64(1_700_000_000) * 1e9

// genStore writes generated events into a new store: several sources in
// small chunks over the same hours, with nulls, number text, "nan" and
// "inf" text, mixed types in one field, ties in time and value, times a
// nanosecond apart and values of every kind.
func genStore(t testing.TB, rnd *rand.Rand) *store.DB {
	t.Helper()
	db := openStore(t)
	users := []string{"root", "admin", "alice", "bob", "nan", "NaN", "inf", "-inf", "Infinity", "10", "007",
		"1e3", "", "O'Brien", "ünï", "a b", "x=y", "*", "Admin", "ROOT"}
	words := []string{"Failed", "password", "Accepted", "login", "session", "opened", "closed", "error",
		"wp-login.php", "GET", "POST", "/admin", "10.0.0.1", "user=root", "nan", "inf", "x", "failed", "FAILED",
		"a_b", "über", "e-mail", "1.5", "-3", "0x1f", "true", "false", "null", "NOT", "or"}
	ips := []string{"10.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.5.4", "8.8.8.8", "2001:db8::1", "::ffff:10.1.2.3",
		"fe80::1", "not-an-ip", "10.0.0.256", "203.0.113.5"}
	for s := 0; s < 3; s++ {
		source := fmt.Sprintf("gen%d", s)
		n := 400 + rnd.IntN(700)
		evs := make([]store.Event, n)
		ts := genBase + int64(s)*7e9
		for i := range evs {
			switch rnd.IntN(6) {
			case 0: // the same time as the event before
			case 1:
				ts++ // a nanosecond later
			case 2:
				ts += int64(rnd.IntN(1000)) * 1e6
			default:
				ts += int64(rnd.IntN(90)) * 1e9
			}
			var raw []string
			for k := rnd.IntN(9); k >= 0; k-- {
				raw = append(raw, words[rnd.IntN(len(words))])
			}
			var fs []store.Field
			add := func(name string, v store.Value) {
				if v.K != store.KindNull {
					fs = append(fs, store.Field{Name: name, Value: v})
				}
			}
			if rnd.IntN(6) > 0 {
				u := users[rnd.IntN(len(users))]
				add("user", store.Str(u))
				raw = append(raw, "user="+u)
			}
			switch rnd.IntN(8) {
			case 0:
			case 1:
				add("n", store.Float(math.Round(rnd.NormFloat64()*1000)/8))
			case 2:
				add("n", store.Str(fmt.Sprint(rnd.IntN(50))))
			case 3:
				add("n", store.Int([]int64{1 << 62, -1 << 62, math.MaxInt64, 0, -1}[rnd.IntN(5)]))
			default:
				add("n", store.Int(int64(rnd.IntN(50)-10)))
			}
			if rnd.IntN(4) > 0 {
				add("f", store.Float(rnd.NormFloat64()*math.Pow(10, float64(rnd.IntN(8)-3))))
			}
			if rnd.IntN(3) > 0 {
				ip := ips[rnd.IntN(len(ips))]
				add("ip", store.Str(ip))
				raw = append(raw, "from", ip)
			}
			status := []store.Value{store.Int(200), store.Int(404), store.Str("404"), store.Int(500), store.Str("200"),
				store.Float(200), store.Str("OK"), store.Null, store.Bool(true), store.Str("true")}[rnd.IntN(10)]
			add("status", status)
			if rnd.IntN(3) == 0 {
				add("when", store.Time(genBase+int64(rnd.IntN(3600))*1e9))
			}
			if rnd.IntN(5) == 0 {
				add("path", store.Str("/"+strings.Join(raw[:min(len(raw), 3)], "/")))
			}
			if rnd.IntN(7) == 0 {
				add("flag", store.Bool(rnd.IntN(2) == 0))
			}
			evs[i] = store.Event{Time: ts, Raw: strings.Join(raw, " "), Fields: fs}
		}
		writeChunks(t, db, source, evs, 40+rnd.IntN(200))
	}
	return db
}

// writeChunks stores events as one source in chunks of per events.
func writeChunks(t testing.TB, db *store.DB, source string, evs []store.Event, per int) {
	t.Helper()
	b := store.NewChunkBuilder(source, "gen", "key:"+source)
	err := db.Write(func(w *store.WriteTx) error {
		rec := &store.Source{Key: "key:" + source, Name: source}
		for i := 0; i < len(evs); i += per {
			for j := i; j < min(i+per, len(evs)); j++ {
				b.Add(&evs[j])
			}
			c := b.Encode()
			if err := w.PutChunk(c); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(c.Rows), source, "gen")
			if rec.Events == 0 || c.MinTime < rec.First {
				rec.First = c.MinTime
			}
			rec.Events += int64(c.Rows)
			rec.Last = max(rec.Last, c.MaxTime)
		}
		return w.PutSource(rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

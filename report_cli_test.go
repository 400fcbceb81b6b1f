package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// embeddedPNG decodes the chart a report embeds as a data URI.
func embeddedPNG(t *testing.T, doc string) (w, h int) {
	t.Helper()
	m := regexp.MustCompile(`data:image/png;base64,([^")]+)`).FindStringSubmatch(doc)
	if m == nil {
		t.Fatal("the report embeds no PNG")
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the embedded chart is no PNG: %v", err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// TestReportAlert: the report of the real Elastic brute force alert, in
// HTML and Markdown: summary, explanation, chart, context, timeline (the
// first 50 of its 147 events) and the queries, written atomically.
func TestReportAlert(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	loghuntCSV(t, db, "ingest", "--year", "2017", "query/testdata/auth_elastic_success_excerpt.log")
	loghuntCSV(t, db, "detect", "--rules", "hunts/rules/ssh-brute-force.yml")
	for _, name := range []string{"r.html", "r.md"} {
		out := filepath.Join(dir, name)
		loghuntCSV(t, db, "report", "1", "--out", out)
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(raw)
		if strings.HasSuffix(name, ".html") {
			doc = html.UnescapeString(doc)
		} else {
			doc = strings.NewReplacer(`\_`, "_", `\[`, "[", `\]`, "]", `\*`, "*", "&gt;", ">", "&lt;", "<").Replace(doc)
		}
		for _, want := range []string{
			"Alert 1: ssh-brute-force, high, src_ip=24.151.103.17",
			"147", "count=102 (high: count >= 100)",
			"Rule ssh-brute-force found 147 events of src_ip=24.151.103.17",
			"Then a success: action=success at 2017-03-30T16:01:36Z",
			"Context: the events of src_ip=24.151.103.17",
			"failure 294; disconnect 151; success 2",
			"Timeline: the alert's events", "The first 50 of 147 events.",
			"Mar 30 15:54:19 ip-10-77-20-248 sshd[14356]: Failed password for elastic_user_0 from 24.151.103.17 port 57443 ssh2",
			"To reproduce", `| timechart span=60s count by action`,
		} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		if w, h := embeddedPNG(t, doc); w < 600 || h < 200 {
			t.Errorf("%s: chart %dx%d", name, w, h)
		}
		if n := strings.Count(doc, "Failed password for elastic_user_"); n < 50 {
			t.Errorf("%s: %d timeline rows", name, n)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".r.*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	var errb bytes.Buffer
	if err := cli(context.Background(), []string{"--db", db, "report", "1", "--out", filepath.Join(dir, "r.pdf")}, nil, &bytes.Buffer{}, &errb); err == nil || !strings.Contains(err.Error(), "a report is written as .html or .md") {
		t.Errorf("a .pdf report: %v", err)
	}
	if err := cli(context.Background(), []string{"--db", db, "report", "9", "--out", filepath.Join(dir, "r9.md")}, nil, &bytes.Buffer{}, &errb); err == nil {
		t.Error("a report of no alert: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "r9.md")); err == nil {
		t.Error("a failed report left a file")
	}
	err := cli(context.Background(), []string{"--db", db, "report", "--query", "sshd | wher x", "--out", filepath.Join(dir, "q.md")}, nil, &bytes.Buffer{}, &errb)
	if err == nil || exitCode(err, &bytes.Buffer{}) != 2 || !strings.Contains(err.Error(), `unknown stage "wher"`) {
		t.Errorf("a report of a query with a syntax error: %v (want exit 2)", err)
	}
}

// TestReportQuery: the report of the demo's brute-force hunt: its
// findings (the rows with is_anomaly, as the query gives them) and their
// explanations by the entity, and a chart.
func TestReportQuery(t *testing.T) {
	dir, db := demoDB(t)
	q := `action=failure auth_method=password | bin _time span=1m | stats count as attempts by _time, src_ip | anomalies attempts contamination=0.01`
	rows := loghuntCSV(t, db, "query", "--format", "csv", q+" | where is_anomaly | table _time, src_ip")
	out := filepath.Join(dir, "q.html")
	loghuntCSV(t, db, "report", "--query", q, "--out", out, "--title", "Brute force on the bastion")
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := html.UnescapeString(string(raw))
	if !strings.Contains(doc, "<h1>Brute force on the bastion</h1>") {
		t.Error("no title")
	}
	if len(rows) < 2 || !strings.Contains(doc, "<td>"+itoa(len(rows)-1)+" (rows with is_anomaly)</td>") {
		t.Errorf("findings count: the query flags %d rows", len(rows)-1)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(doc, "<td>"+r[0]+"</td><td>"+r[1]+"</td>") {
			t.Errorf("the finding %v is not in the table", r)
		}
		if !strings.Contains(doc, r[1]+" had ") {
			t.Errorf("no explanation of %s", r[1])
		}
	}
	if w, _ := embeddedPNG(t, doc); w < 600 {
		t.Errorf("chart width %d", w)
	}
	// What a browser makes of it, when there is one (Debian's chromium).
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium): the report was checked, not rendered")
	}
	shot := filepath.Join(dir, "q.png")
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600", "--screenshot="+shot, "file://"+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// the chart's blue line and red dots are on the page
	blue, red := 0, 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			if r < 80 && g > 90 && g < 150 && b > 150 {
				blue++
			}
			if r > 180 && g < 70 && b < 70 {
				red++
			}
		}
	}
	t.Logf("chromium's screenshot: %d blue and %d red pixels", blue, red)
	if blue < 100 || red < 20 {
		t.Errorf("the rendered page shows no chart (%d blue, %d red pixels)", blue, red)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

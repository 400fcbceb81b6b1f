package query

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"loghunt/store"
)

func init() {
	evalCases = append(evalCases, []struct {
		expr string
		want store.Value
	}{
		{`printf("%s=%d", "n", n)`, str("n=5")}, {`printf("%04d|%-4d|%4d", 7, 7, 7)`, str("0007|7   |   7")},
		{`printf("%.2f %.0f %f", 3.14159, 2.5, 1)`, str("3.14 2 1.000000")}, {`printf("%x %X %#x %o %#o", 255, 255, 255, 8, 8)`, str("ff FF 0xff 10 010")},
		{`printf("%e", 12345.678)`, str("1.234568e+04")}, {`printf("%5.1f%%", 99.44)`, str(" 99.4%")},
		{`printf("%'d", 12345)`, str("12,345")}, {`printf("%'.2f", 1234567.891)`, str("1,234,567.89")}, {`printf("%'10d|", -1234)`, str("    -1,234|")},
		{`printf("%i %d", 2.9, -2.9)`, str("2 -2")}, {`printf("%x", -1)`, str("ffffffffffffffff")}, {`printf("%u", neg)`, str("18446744073709551609")},
		{`printf("%*d|%-*d", 4, 1, 3, 2)`, str("   1|2  ")}, {`printf("%.3s", s)`, str("Hel")}, {`printf("%c%c", "xyz", 65)`, str("xA")},
		{`printf("%d", ns)`, str("42")}, {`printf("%d", s)`, null}, {`printf("%s %s", n)`, null}, {`printf("%s", z)`, null},
		{`printf("no conversions")`, str("no conversions")}, {`printf("%g %g", 0.0001, 1e6)`, str("0.0001 1e+06")},
		{`printf(z, 1)`, null}, {`printf(s, 1)`, str("Hello World")},
	}...)
}

func TestPrintfBadFormat(t *testing.T) {
	for q, want := range map[string]string{
		`| eval x = printf("a %q", 1)`: "printf has no conversion %q",
		`| eval x = printf("50%", 1)`:  "the format ends inside the conversion",
	} {
		_, err := Parse(q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestPrintfAgreesWithCoreutils formats random conversions (flags, widths,
// precisions, ints, floats and text) with printf and with coreutils'
// printf(1), a C implementation, and compares.
func TestPrintfAgreesWithCoreutils(t *testing.T) {
	tool, err := exec.LookPath("printf")
	if err != nil {
		t.Skip("no printf(1)")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 6 {
		var fmts []string
		var args []store.Value
		var toolArgs []string
		for range 200 {
			verb := "diuxXofeEgGs"[r.IntN(12)]
			spec := "%"
			for _, f := range "-+ 0#" {
				if r.IntN(4) == 0 && (verb != 's' || f == '-') && (f != '#' || strings.IndexByte("xXofeEgG", verb) >= 0) {
					spec += string(f)
				}
			}
			if r.IntN(2) == 0 {
				spec += strconv.Itoa(1 + r.IntN(13))
			}
			if r.IntN(2) == 0 {
				spec += "." + strconv.Itoa(r.IntN(8))
			}
			spec += string(verb)
			var v store.Value
			var text string
			switch {
			case verb == 's':
				text = []string{"", "a", "hello", "Hello World", "x y"}[r.IntN(5)]
				v = store.Str(text)
			case strings.IndexByte("diuxXo", verb) >= 0:
				n := []int64{0, 1, -1, 7, 255, -255, 123456789, 1 << 40, -(1 << 40)}[r.IntN(9)]
				v, text = store.Int(n), strconv.FormatInt(n, 10)
			default:
				f := []float64{0, 1, -1, 0.5, 3.14159, -2.71828, 1e-5, 123456.789, 1e20, -0.0001234}[r.IntN(10)]
				v, text = store.Float(f), strconv.FormatFloat(f, 'g', -1, 64)
			}
			fmts = append(fmts, spec)
			args = append(args, v)
			toolArgs = append(toolArgs, text)
		}
		cmd := exec.Command(tool, append([]string{strings.Join(fmts, "\x01") + "\x01"}, toolArgs...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("round %d: %v: %s", round, err, stderr.String())
		}
		want := strings.Split(string(out), "\x01")
		for i, f := range fmts {
			specs, _, err := parsePrintf(f)
			if err != nil {
				t.Fatal(err)
			}
			got := runPrintf(specs, []store.Value{args[i]})
			if got.String() != want[i] {
				t.Errorf("printf(%q, %v) = %q, printf(1) says %q", f, args[i], got.String(), want[i])
			}
		}
	}
}

// TestPrintfOnRealLog: a report line per client of a real web log, and
// each of its parts as Go's fmt makes it.
func TestPrintfOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | stats count, sum(bytes) as b by clientip | eval line = printf("%-16s|%5d|%10.1f KB", clientip, count, b / 1024) | sort -count | head 3 | table clientip, count, b, line`)
	if len(rows) != 4 {
		t.Fatalf("rows %q", rows)
	}
	for _, r := range rows[1:] {
		c, _ := strconv.Atoi(r[1])
		b, _ := strconv.ParseFloat(r[2], 64)
		if want := fmt.Sprintf("%-16s|%5d|%10.1f KB", r[0], c, b/1024); r[3] != want {
			t.Errorf("line %q, want %q", r[3], want)
		}
	}
	if rows[1][3] != "192.168.4.164   |  400|     124.3 KB" {
		t.Errorf("top line %q", rows[1][3])
	}
}

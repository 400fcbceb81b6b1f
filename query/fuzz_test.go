package query

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzParse checks that Parse never panics, that every error is an
// *Error with a sane position, and that what parses round-trips.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.q)
	}
	for _, c := range evalCases {
		f.Add("| eval x = " + c.expr)
	}
	for _, q := range goldenQueries(f) {
		f.Add(q)
	}
	for _, q := range []string{"* | sigma rules=r level>=high tags=\"a,b\"", "* | sigma rules=/x/y.yml mapping=../m.yml", "* | stast count", "| where (a", `"open`, "a |", "| bin spn=1m", "x IN (a", "| where 1 < 2 < 3",
		"* | timechart span=1h count | anomalies method=decompose period=1d k=1.5 count by user", "| anomalies method=decompose period=-1d k=1e309",
		"* | spath", "* | spath answers{} output=a", `* | spath input=j path="a.b{0}.c"`, "* | spath {}.x", "| inputlookup max=3 a/b.csv",
		"| inputlookup append=true \"x y.csv\"", "* | outputlookup append=true out.csv", "* [| inputlookup ips.csv | fields ip]"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		timer := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("slow: %q", q)) })
		defer timer.Stop()
		ast, err := Parse(q)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q) returned %T: %v", q, err, err)
			}
			if e.Line < 1 || e.Col < 1 || e.Msg == "" || strings.Contains(e.Msg, "participle") {
				t.Fatalf("Parse(%q): bad error %+v", q, e)
			}
			_ = e.Error()
			return
		}
		checkRoundTrip(t, q, ast)
		for _, st := range ast.Stages {
			compileStage(t, st)
		}
	})
}

// compileStage compiles and evaluates the expressions of where and eval
// on the test batch, which must not panic.
func compileStage(t *testing.T, st Command) {
	var exprs []*Expr
	switch c := st.(type) {
	case *WhereCmd:
		exprs = append(exprs, c.Expr)
	case *EvalCmd:
		for _, a := range c.Assigns {
			exprs = append(exprs, a.Expr)
		}
	}
	for _, e := range exprs {
		c, err := CompileExpr(e, &EvalEnv{Now: testNow})
		if err != nil {
			t.Fatalf("CompileExpr(%s) after Parse: %v", e, err)
		}
		c.Bind(testBatch())(0)
	}
}

// goldenQueries returns the queries of the end-to-end cases in
// ../testdata/golden, to seed the fuzzer with real hunts.
func goldenQueries(f *testing.F) []string {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.txtar"))
	var out []string
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, fl := range ar.Files {
			if fl.Name == "query" {
				out = append(out, strings.TrimSpace(string(fl.Data)))
			}
		}
	}
	if len(out) == 0 {
		f.Fatal("no golden queries to seed from")
	}
	return out
}

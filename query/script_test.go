package query

import (
	"reflect"
	"testing"
)

func TestSplitScript(t *testing.T) {
	src := `# hunt for brute force
"Failed password" # a comment
| stats count by user;
error | head 5; # two queries

| where x = "a # not a comment"
| table x

# the last one continues over a blank line
* |

  stats count
`
	got, err := SplitScript(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []ScriptQuery{
		{Text: "\"Failed password\" \n| stats count by user", Line: 2},
		{Text: "error | head 5", Line: 4},
		{Text: "| where x = \"a # not a comment\"\n| table x", Line: 6},
		{Text: "* |\n\n  stats count", Line: 10},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitScript:\n got %+v\nwant %+v", got, want)
	}
	for _, q := range got {
		if _, err := Parse(q.Text); err != nil {
			t.Errorf("line %d: %v", q.Line, err)
		}
	}
	if _, err := SplitScript("a\n\"open\nb\n"); err == nil || err.Error() != `line 2: unclosed quote "` {
		t.Errorf("unclosed quote: %v", err)
	}
	if got, _ := SplitScript("don't # it\n"); len(got) != 1 || got[0].Text != "don't" {
		t.Errorf("apostrophe: %+v", got)
	}
}

// A line starting with '.' between queries is a dot-command, as in the
// REPL; inside a query that continues (a line ending in '|') it is not.
func TestSplitScriptDotCommands(t *testing.T) {
	src := `.format json   # machine-readable from here
* | stats count
.format csv
error
| head 1;
  .sources
* |
.x

"a
.b"
`
	got, err := SplitScript(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []ScriptQuery{
		{Text: ".format json", Line: 1, Dot: true},
		{Text: "* | stats count", Line: 2},
		{Text: ".format csv", Line: 3, Dot: true},
		{Text: "error\n| head 1", Line: 4},
		{Text: ".sources", Line: 6, Dot: true},
		{Text: "* |\n.x", Line: 7},
		{Text: "\"a\n.b\"", Line: 10},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitScript:\n got %+v\nwant %+v", got, want)
	}
}

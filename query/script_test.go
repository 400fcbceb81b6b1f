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

// Package report writes an incident report a responder can hand over: a
// self-contained HTML page or a Markdown file (the chart embedded as a
// PNG data URI in both), from a Doc the caller fills. It imports nothing
// of loghunt.
package report

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// Doc is what a report says, in order: the title, the summary (label and
// value pairs), the explanation, the chart, the tables and the queries
// that reproduce it.
type Doc struct {
	Title        string
	Generated    time.Time
	Summary      []Pair
	Explanation  []string // paragraphs
	Chart        []byte   // a PNG, or nil
	ChartCaption string
	Tables       []Table
	Queries      []Pair // what each query shows, the query
	DB           string // the database the queries run on
}

// Pair is a label and its value.
type Pair struct{ Label, Value string }

// Table is a titled table of text cells.
type Table struct {
	Title  string
	Fields []string
	Rows   [][]string
	Note   string // under the table, e.g. "the first 50 of 147"
}

// Format is a report's file format.
type Format int

// The formats.
const (
	HTML Format = iota
	Markdown
)

// FormatOf tells the format by a file name's extension: .html or .htm,
// .md or .markdown.
func FormatOf(name string) (Format, error) {
	low := strings.ToLower(name)
	switch {
	case strings.HasSuffix(low, ".html"), strings.HasSuffix(low, ".htm"):
		return HTML, nil
	case strings.HasSuffix(low, ".md"), strings.HasSuffix(low, ".markdown"):
		return Markdown, nil
	}
	return 0, fmt.Errorf("%s: a report is written as .html or .md", name)
}

// Write writes d in format f.
func Write(w io.Writer, d *Doc, f Format) error {
	if f == Markdown {
		return writeMarkdown(w, d)
	}
	return page.Execute(w, d)
}

func (d *Doc) ChartURI() template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(d.Chart))
}

func (d *Doc) GeneratedText() string { return d.Generated.UTC().Format(time.RFC3339) }

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #b00; padding-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td { word-break: break-word; }
td:first-child { white-space: nowrap; }
table.summary th { width: 10rem; }
code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
pre { background: #f6f6f6; padding: .6rem; white-space: pre-wrap; word-break: break-all; }
.note, .meta { color: #666; font-size: .85rem; }
img { max-width: 100%; border: 1px solid #ddd; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">Written by loghunt at {{.GeneratedText}}{{if .DB}} from {{.DB}}{{end}}.</p>
<h2>Summary</h2>
<table class="summary">
{{range .Summary}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{if .Explanation}}<h2>Explanation</h2>
{{range .Explanation}}<p>{{.}}</p>
{{end}}{{end}}
{{if .Chart}}<h2>Activity</h2>
<img src="{{.ChartURI}}" alt="{{.ChartCaption}}">
<p class="note">{{.ChartCaption}}</p>
{{end}}
{{range .Tables}}<h2>{{.Title}}</h2>
<table>
<tr>{{range .Fields}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{end}}
{{if .Queries}}<h2>To reproduce</h2>
{{range .Queries}}<p>{{.Label}}:</p>
<pre>{{.Value}}</pre>
{{end}}{{end}}
</body>
</html>
`))

func writeMarkdown(w io.Writer, d *Doc) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n_Written by loghunt at %s", mdText(d.Title), d.GeneratedText())
	if d.DB != "" {
		fmt.Fprintf(&b, " from %s", mdText(d.DB))
	}
	b.WriteString("._\n\n## Summary\n\n| | |\n|---|---|\n")
	for _, p := range d.Summary {
		fmt.Fprintf(&b, "| **%s** | %s |\n", mdCell(p.Label), mdCell(p.Value))
	}
	if len(d.Explanation) > 0 {
		b.WriteString("\n## Explanation\n\n")
		for _, p := range d.Explanation {
			b.WriteString(mdText(p) + "\n\n")
		}
	}
	if d.Chart != nil {
		fmt.Fprintf(&b, "\n## Activity\n\n![%s](%s)\n\n%s\n", mdText(d.ChartCaption), d.ChartURI(), mdText(d.ChartCaption))
	}
	for _, t := range d.Tables {
		fmt.Fprintf(&b, "\n## %s\n\n|", mdText(t.Title))
		for _, f := range t.Fields {
			b.WriteString(" " + mdCell(f) + " |")
		}
		b.WriteString("\n|")
		for range t.Fields {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		for _, r := range t.Rows {
			b.WriteString("|")
			for _, c := range r {
				b.WriteString(" " + mdCell(c) + " |")
			}
			b.WriteString("\n")
		}
		if t.Note != "" {
			b.WriteString("\n" + mdText(t.Note) + "\n")
		}
	}
	if len(d.Queries) > 0 {
		b.WriteString("\n## To reproduce\n\n")
		for _, q := range d.Queries {
			fmt.Fprintf(&b, "%s:\n\n```\n%s\n```\n\n", mdText(q.Label), q.Value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdText escapes the characters Markdown would take as markup.
func mdText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	return r.Replace(s)
}

// mdCell escapes a table cell: as text, with | escaped and no newlines.
func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(mdText(s), "|", `\|`), "\n", " ")
}

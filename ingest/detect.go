package ingest

// formats lists every format, in the order that breaks detection ties.
var formats = []Format{
	zeekFormat{},
	jsonFormat{},
	apacheFormat{},
	syslogFormat{},
	logfmtFormat{},
	kvFormat{},
	csvFormat{name: "csv", sep: ','},
	csvFormat{name: "tsv", sep: '\t'},
	textFormat{},
	evtxFormat{},
}

// minDetectScore is the score below which Detect falls back to text.
const minDetectScore = 0.3

// Formats returns every known format.
func Formats() []Format {
	return append([]Format(nil), formats...)
}

// Lookup returns the format named name.
func Lookup(name string) (Format, bool) {
	for _, f := range formats {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}

// Detect returns the format that best fits sample, the first non-empty
// lines of a file: the highest score, the earlier format in Formats on a
// tie, and text when no format scores at least minDetectScore.
func Detect(sample []string) Format {
	var best Format = textFormat{}
	bestScore := minDetectScore
	for _, f := range formats {
		if s := f.Detect(sample); s > bestScore {
			best, bestScore = f, s
		}
	}
	return best
}

// fitShare returns the share of the non-empty lines of sample that fit,
// and 0 when there are none.
func fitShare(sample []string, fit func(line string) bool) float64 {
	n, ok := 0, 0
	for _, line := range sample {
		line = trimCR(line)
		if line == "" {
			continue
		}
		n++
		if fit(line) {
			ok++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(ok) / float64(n)
}

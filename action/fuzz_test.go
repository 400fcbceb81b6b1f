package action

import (
	"strings"
	"testing"

	"loghunt/alert"
)

// FuzzFill: any template and entity value fill without a panic; text
// without a placeholder comes out as it went in, and a filled value is
// never an option.
func FuzzFill(f *testing.F) {
	f.Add("{ {src_ip} }", "203.0.113.7")
	f.Add("{src_ip}{", "-x")
	f.Add("}{{}", "")
	f.Fuzz(func(t *testing.T, arg, value string) {
		a := &alert.Alert{ID: 1, Entity: map[string]string{"src_ip": value}}
		out, err := fill([]string{arg}, a)
		if err != nil {
			return
		}
		if !strings.Contains(arg, "{") && out[0] != arg {
			t.Fatalf("fill(%q) = %q", arg, out[0])
		}
		if arg == "{src_ip}" && (out[0] != value || strings.HasPrefix(value, "-")) {
			t.Fatalf("fill(%q) with %q = %q", arg, value, out[0])
		}
	})
}

// FuzzAllow: any entry parses or is refused with an error, and a list
// that parsed matches without a panic.
func FuzzAllow(f *testing.F) {
	f.Add("10.0.0.0/8", "10.1.2.3")
	f.Add("user:backup", "backup")
	f.Add("f=v", "::ffff:1.2.3.4")
	f.Fuzz(func(t *testing.T, entry, value string) {
		l, err := ParseAllow([]string{entry})
		if err != nil {
			if !strings.Contains(err.Error(), "allow-list entry") {
				t.Fatalf("error %v does not name the entry", err)
			}
			return
		}
		l.Match(map[string]string{"src_ip": value, "user": value, "host": value, "f": value})
	})
}

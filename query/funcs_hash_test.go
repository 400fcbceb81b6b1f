package query

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"loghunt/store"
)

func init() {
	evalCases = append(evalCases, []struct {
		expr string
		want store.Value
	}{
		// RFC 1321 appendix A.5
		{`md5("")`, str("d41d8cd98f00b204e9800998ecf8427e")}, {`md5("a")`, str("0cc175b9c0f1b6a831c399e269772661")},
		{`md5("abc")`, str("900150983cd24fb0d6963f7d28e17f72")}, {`md5("message digest")`, str("f96b697d7cb7938d525a2f31aaf161d0")},
		{`md5("abcdefghijklmnopqrstuvwxyz")`, str("c3fcd3d76192e4007dfb496cca67e13b")}, {`md5(z)`, null},
		{`md5(n)`, str("e4da3b7fbbce2345d7772b0674a318d5")}, // of the text "5"
		// FIPS 180-2 appendix A and B
		{`sha1("abc")`, str("a9993e364706816aba3e25717850c26c9cd0d89d")},
		{`sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")`, str("84983e441c3bd26ebaae4aa1f95129e5e54670f1")},
		{`sha1(z)`, null},
		{`sha256("abc")`, str("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
		{`sha256("")`, str("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
		{`sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")`, str("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")},
		// RFC 4648 section 10
		{`base64encode("")`, str("")}, {`base64encode("f")`, str("Zg==")}, {`base64encode("fo")`, str("Zm8=")},
		{`base64encode("foo")`, str("Zm9v")}, {`base64encode("foob")`, str("Zm9vYg==")}, {`base64encode("fooba")`, str("Zm9vYmE=")},
		{`base64encode("foobar")`, str("Zm9vYmFy")}, {`base64encode(z)`, null},
		{`base64decode("Zm9vYmFy")`, str("foobar")}, {`base64decode("Zm9vYmE=")`, str("fooba")}, {`base64decode("Zm9vYg")`, str("foob")},
		{`base64decode(" Zg== ")`, str("f")}, {`base64decode("-_8")`, str("\xfb\xff")}, {`base64decode("not base64!")`, null},
		{`base64decode("Zm9v=YmFy")`, null}, {`base64decode(z)`, null},
		// Splunk's documentation example, then query strings
		{`urldecode("http%3A%2F%2Fwww.splunk.com%2Fdownload%3Fr%3Dheader")`, str("http://www.splunk.com/download?r=header")},
		{`urldecode("Feed%3A+semicomplete%2Fmain")`, str("Feed: semicomplete/main")}, {`urldecode("100%")`, str("100%")},
		{`urldecode("%zz%4")`, str("%zz%4")}, {`urldecode("%E2%82%AC")`, str("€")}, {`urldecode(z)`, null},
	}...)
}

// TestURLDecodeAgreesWithNetURL: on random strings of escapes, pluses and
// plain bytes that net/url accepts, urldecode gives what
// url.QueryUnescape gives.
func TestURLDecodeAgreesWithNetURL(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"%2F", "%3a", "%41", "+", "a", "/", "%25", "%e2%82%ac", "?", "=", "&", " ", "%00", "%FF", "-"}
	for range 5000 {
		var b strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		want, err := url.QueryUnescape(b.String())
		if err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		if got := urlDecode(b.String()); got != want {
			t.Fatalf("urldecode(%q) = %q, want %q", b.String(), got, want)
		}
	}
}

// TestHashesOnRealLines: md5, sha1, sha256 and base64encode of the first
// lines of a real web log, each as the coreutils tools (md5sum, sha1sum,
// sha256sum, base64) compute it, and base64decode undoes base64encode
// on all 639 lines.
func TestHashesOnRealLines(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | eval m = md5(_raw), s1 = sha1(_raw), s2 = sha256(_raw), b = base64encode(_raw), back = base64decode(b) | table _raw, m, s1, s2, b, back`)
	raws, back := column(t, rows, "_raw"), column(t, rows, "back")
	if len(raws) != 639 {
		t.Fatalf("%d rows, want 639", len(raws))
	}
	for i := range raws {
		if back[i] != raws[i] {
			t.Fatalf("base64decode(base64encode(%q)) = %q", raws[i], back[i])
		}
	}
	tools := map[string][]string{"m": {"md5sum"}, "s1": {"sha1sum"}, "s2": {"sha256sum"}, "b": {"base64", "-w0"}}
	for col, argv := range tools {
		if _, err := exec.LookPath(argv[0]); err != nil {
			t.Logf("%s absent: not compared", argv[0])
			continue
		}
		got := column(t, rows, col)
		for i := 0; i < len(raws); i += 97 {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdin = strings.NewReader(raws[i])
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			want := string(bytes.Fields(out)[0])
			if got[i] != want {
				t.Errorf("%s of line %d = %s, %s says %s", col, i, got[i], argv[0], want)
			}
		}
	}
}

// TestURLDecodeOnRealLog: the escaped query strings of a real web log
// decode as net/url decodes them (every one of them is well formed).
func TestURLDecodeOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | where path LIKE "%\%%" | eval d = urldecode(path) | table path, d`)
	paths, dec := column(t, rows, "path"), column(t, rows, "d")
	if len(paths) < 5 {
		t.Fatalf("only %d escaped paths", len(paths))
	}
	for i, p := range paths {
		want, err := url.QueryUnescape(p)
		if err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		if dec[i] != want {
			t.Errorf("urldecode(%q) = %q, want %q", p, dec[i], want)
		}
	}
	want := "/blog/geekery/disabling-battery-in-ubuntu-vms.html?utm_source=feedburner&utm_medium=feed&utm_campaign=Feed: semicomplete/main (semicomplete.com - Jordan Sissel)"
	if !strings.Contains(strings.Join(dec, "\n"), want) {
		t.Errorf("no decoded path %q in %q", want, dec)
	}
}

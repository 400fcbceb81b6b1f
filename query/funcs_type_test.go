package query

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
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
		{`isnum(n)`, tru}, {`isnum(f)`, tru}, {`isnum(ns)`, tru}, {`isnum(t)`, tru}, {`isnum(s)`, fls}, {`isnum(b)`, fls},
		{`isnum(z)`, fls}, {`isnum("0x1f")`, fls}, {`isnum(" 2.5e3")`, tru},
		{`isint(n)`, tru}, {`isint(neg)`, tru}, {`isint(ns)`, tru}, {`isint(f)`, fls}, {`isint("4.0")`, fls}, {`isint(t)`, tru},
		{`isint(s)`, fls}, {`isint(z)`, fls},
		{`isstr(s)`, tru}, {`isstr(ip)`, tru}, {`isstr(ns)`, fls}, {`isstr(n)`, fls}, {`isstr(b)`, fls}, {`isstr(z)`, fls},
		// Splunk's documentation example, then IPv6 and misfits
		{`ipmask("255.255.255.0", "9.140.1.1")`, str("9.140.1.0")}, {`ipmask("255.255.0.0", ip)`, str("10.1.0.0")},
		{`ipmask("255.0.255.0", ip)`, str("10.0.2.0")}, {`ipmask("ffff:ffff::", "2001:db8::1")`, str("2001:db8::")},
		{`ipmask("255.255.255.0", "2001:db8::1")`, null}, {`ipmask("255.255.255.0", s)`, null}, {`ipmask("255.255.255.0", z)`, null},
		{`ipmask(s, ip)`, null},
		{`entropy("")`, f64(0)}, {`entropy("aaaa")`, f64(0)}, {`entropy("ab")`, f64(1)}, {`entropy("abcd")`, f64(2)},
		{`entropy("aab")`, f64(0.9182958340544896)}, {`entropy("héhé")`, f64(1)}, {`entropy(z)`, null},
		{`json_extract("{\"a\":{\"b\":[1,{\"c\":\"x\"}]}}", "a.b{1}.c")`, str("x")},
		{`json_extract("{\"a\":{\"b\":[1,{\"c\":\"x\"}]}}", "a.b{0}")`, i64(1)},
		{`json_extract("{\"a\": {\"b\": [1, 2]}}", "a")`, str(`{"b":[1,2]}`)},
		{`json_extract("{\"a\":2.5,\"t\":true,\"n\":null}", "a", "t", "n", "zz")`, str(`[2.5,true,null,null]`)},
		{`json_extract("{\"t\":true}", "t")`, tru}, {`json_extract("{\"a\":1}", "b")`, null}, {`json_extract("{\"a\":[1]}", "a{3}")`, null},
		{`json_extract("not json", "a")`, null}, {`json_extract("[1, 2]")`, str("[1,2]")}, {`json_extract(z, "a")`, null},
		{`json_keys("{\"b\":1,\"a\":{\"c\":2},\"b\":3}")`, str(`["b","a"]`)}, {`json_keys("{}")`, str(`[]`)},
		{`json_keys("[1]")`, null}, {`json_keys("{\"<&>\":1}")`, str(`["<&>"]`)}, {`json_keys(z)`, null},
	}...)
}

// TestEntropyAgreesWithFormula: on random strings, entropy equals
// log2(n) - sum(c*log2(c))/n over the counts c of its characters, a
// rearrangement of -sum p*log2(p) computed here by sorting the string.
func TestEntropyAgreesWithFormula(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []rune("ab01xyz.-é€")
	for range 3000 {
		rs := make([]rune, 1+r.IntN(40))
		for i := range rs {
			rs[i] = alphabet[r.IntN(1+r.IntN(len(alphabet)))]
		}
		sorted := strings.Split(string(rs), "")
		slices.Sort(sorted)
		n := float64(len(rs))
		sum := 0.0
		for i := 0; i < len(sorted); {
			j := i
			for j < len(sorted) && sorted[j] == sorted[i] {
				j++
			}
			c := float64(j - i)
			sum += c * math.Log2(c)
			i = j
		}
		want := math.Log2(n) - sum/n
		if got := shannonEntropy(string(rs)); math.Abs(got-want) > 1e-9 {
			t.Fatalf("entropy(%q) = %v, want %v", string(rs), got, want)
		}
	}
}

// TestIPMaskOnRealLog: ipmask of every client address of a real web log
// is the address with each octet ANDed with the mask's, done here on
// the dotted text.
func TestIPMaskOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | eval net = ipmask("255.255.240.0", clientip) | table clientip, net`)
	ips, nets := column(t, rows, "clientip"), column(t, rows, "net")
	mask := []int{255, 255, 240, 0}
	for i, ip := range ips {
		parts := strings.Split(ip, ".")
		if len(parts) != 4 {
			t.Fatalf("not IPv4: %q", ip)
		}
		for k, p := range parts {
			o, _ := strconv.Atoi(p)
			parts[k] = strconv.Itoa(o & mask[k])
		}
		if want := strings.Join(parts, "."); nets[i] != want {
			t.Errorf("ipmask(%s) = %s, want %s", ip, nets[i], want)
		}
		if _, err := netip.ParseAddr(nets[i]); err != nil {
			t.Error(err)
		}
	}
	got := s.run(`* | eval net = ipmask("255.255.255.0", clientip) | stats dc(clientip) as ips by net | sort -ips | head 1`)
	if len(got) != 2 || got[1][0] != "112.110.247.0" || got[1][1] != "5" {
		t.Errorf("top /24 %q", got)
	}
}

// TestJSONOnRealEvents: json_extract of a real Windows event's _raw gives
// what ingest made of the same keys, json_keys lists the keys
// encoding/json finds, in the order they are written.
func TestJSONOnRealEvents(t *testing.T) {
	s := excerptDB(t, windowsExcerpt)
	rows := s.run(`* | eval id = json_extract(_raw, "EventID"), img = json_extract(_raw, "Image"), tag = json_extract(_raw, "tags{0}"), both = json_extract(_raw, "EventID", "Channel"), k = json_keys(_raw) | table _raw, EventID, id, Image, img, tag, both, Channel, k`)
	if len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	col := func(n string) []string { return column(t, rows, n) }
	raws, ids, keys := col("_raw"), col("id"), col("k")
	for i, raw := range raws {
		if ids[i] != col("EventID")[i] || col("img")[i] != col("Image")[i] {
			t.Errorf("row %d: json_extract %s %s, ingest %s %s", i, ids[i], col("img")[i], col("EventID")[i], col("Image")[i])
		}
		if col("tag")[i] != "mordorDataset" {
			t.Errorf("tags{0} = %q", col("tag")[i])
		}
		if want := `[` + ids[i] + `,"` + col("Channel")[i] + `"]`; col("both")[i] != want {
			t.Errorf("both = %s, want %s", col("both")[i], want)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		var ks []string
		if err := json.Unmarshal([]byte(keys[i]), &ks); err != nil {
			t.Fatal(err)
		}
		last := -1
		for _, k := range ks {
			if _, ok := m[k]; !ok {
				t.Errorf("key %q not in the event", k)
			}
			at := strings.Index(raw, `"`+k+`":`)
			if at < last {
				t.Errorf("key %q out of order", k)
			}
			last = at
		}
		if len(ks) != len(m) {
			t.Errorf("%d keys, encoding/json finds %d", len(ks), len(m))
		}
	}
}

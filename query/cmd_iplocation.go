package query

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/oschwald/maxminddb-golang/v2"

	"loghunt/store"
)

// IplocationCmd adds where an address is, from MaxMind-format databases
// the user gives (Options.GeoIP, else LOGHUNT_GEOIP): country,
// country_code, region, city, lat, lon (a City or Country database),
// asn and asn_org (an ASN database), each with the prefix of prefix=. An
// address a database does not know, a private one, or a value that is no
// address gets null.
type IplocationCmd struct {
	Pos     lexer.Position
	Field   *Field    `parser:"'iplocation':Stage @@"`
	Options []*Option `parser:"@@*"`
	EndPos  lexer.Position

	Prefix string
}

// IplocationFields are the fields iplocation adds (after its prefix).
var IplocationFields = []string{"country", "country_code", "region", "city", "lat", "lon", "asn", "asn_org"}

func (*IplocationCmd) command()                   {}
func (c *IplocationCmd) Position() lexer.Position { return c.Pos }

func (c *IplocationCmd) String() string {
	s := "iplocation " + c.Field.String()
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	return s
}

func (c *IplocationCmd) check() *posError {
	opts, err := checkOptions("iplocation", c.Options)
	if err != nil {
		return err
	}
	c.Prefix = opts.text("prefix", "")
	return nil
}

func (c *IplocationCmd) outFields() []string {
	out := make([]string, len(IplocationFields))
	for i, f := range IplocationFields {
		out[i] = c.Prefix + f
	}
	return out
}

func (c *IplocationCmd) inputFields(after fieldSet) fieldSet {
	return after.without(c.outFields()...).with(c.Field.Name)
}

// geoipHelp says how to get a database.
const geoipHelp = "iplocation needs a MaxMind-format database (.mmdb): give it with --geoip FILE (repeatable: a City and an ASN database) or LOGHUNT_GEOIP=FILE[" + string(os.PathListSeparator) + "FILE]; " +
	"free ones are MaxMind's GeoLite2-City and GeoLite2-ASN (https://dev.maxmind.com/geoip/geolite2-free-geolocation-data, after a free sign-up) " +
	"and DB-IP's IP to City Lite and IP to ASN Lite (https://db-ip.com/db/lite.php, mmdb format); loghunt downloads nothing itself"

// geoipPaths are the databases of a run: opt's, else LOGHUNT_GEOIP's.
func geoipPaths(opt *Options) []string {
	if len(opt.GeoIP) > 0 {
		return opt.GeoIP
	}
	var out []string
	for _, p := range filepath.SplitList(os.Getenv("LOGHUNT_GEOIP")) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// geoReaders keeps the open databases by path for the process: opening
// maps the file, and a REPL runs many queries.
var geoReaders sync.Map // path -> *maxminddb.Reader

func openGeoIP(path string) (*maxminddb.Reader, error) {
	if r, ok := geoReaders.Load(path); ok {
		return r.(*maxminddb.Reader), nil
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("iplocation: %s: %w", path, err)
	}
	if old, loaded := geoReaders.LoadOrStore(path, r); loaded {
		r.Close()
		return old.(*maxminddb.Reader), nil
	}
	return r, nil
}

func (c *IplocationCmd) rowStage(p *plan) (rowStage, error) {
	paths := geoipPaths(p.opt)
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s", geoipHelp)
	}
	s := &iplocationStage{cmd: c}
	for _, path := range paths {
		r, err := openGeoIP(path)
		if err != nil {
			return nil, err
		}
		s.dbs = append(s.dbs, r)
	}
	return s, nil
}

type iplocationStage struct {
	cmd *IplocationCmd
	dbs []*maxminddb.Reader
}

// geoRecord is what iplocation reads of a City, Country or ASN record.
type geoRecord struct {
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
	ASN    uint64 `maxminddb:"autonomous_system_number"`
	ASNOrg string `maxminddb:"autonomous_system_organization"`
}

func (s *iplocationStage) apply(b *Batch) (*Batch, error) {
	at := b.Col(s.cmd.Field.Name)
	names := s.cmd.outFields()
	cols := make([][]store.Value, len(names))
	for i, n := range names {
		cols[i] = b.Column(n)
	}
	cache := map[string][]store.Value{}
	for r := 0; r < b.Len; r++ {
		for i := range cols {
			cols[i][r] = store.Null
		}
		if at < 0 || b.Cols[at][r].IsNull() {
			continue
		}
		text := b.Cols[at][r].String()
		vals, ok := cache[text]
		if !ok {
			var err error
			if vals, err = s.lookup(text); err != nil {
				return nil, err
			}
			cache[text] = vals
		}
		for i := range cols {
			cols[i][r] = vals[i]
		}
	}
	return b, nil
}

// lookup finds an address in every database; the first that knows a
// field gives it.
func (s *iplocationStage) lookup(text string) ([]store.Value, error) {
	out := make([]store.Value, len(IplocationFields))
	for i := range out {
		out[i] = store.Null
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(text))
	if err != nil {
		return out, nil // not an address
	}
	set := func(i int, v store.Value) {
		if out[i].IsNull() {
			out[i] = v
		}
	}
	for _, db := range s.dbs {
		var rec geoRecord
		res := db.Lookup(addr.Unmap())
		if !res.Found() {
			if err := res.Err(); err != nil {
				return nil, fmt.Errorf("iplocation: %s: %w", text, err)
			}
			continue
		}
		if err := res.Decode(&rec); err != nil {
			return nil, fmt.Errorf("iplocation: the record of %s: %w", text, err)
		}
		if n := rec.Country.Names["en"]; n != "" {
			set(0, store.Str(n))
		}
		if rec.Country.ISOCode != "" {
			set(1, store.Str(rec.Country.ISOCode))
		}
		if len(rec.Subdivisions) > 0 && rec.Subdivisions[0].Names["en"] != "" {
			set(2, store.Str(rec.Subdivisions[0].Names["en"]))
		}
		if n := rec.City.Names["en"]; n != "" {
			set(3, store.Str(n))
		}
		if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
			set(4, store.Float(*rec.Location.Latitude))
			set(5, store.Float(*rec.Location.Longitude))
		}
		if rec.ASN != 0 {
			set(6, store.Int(int64(rec.ASN)))
		}
		if rec.ASNOrg != "" {
			set(7, store.Str(rec.ASNOrg))
		}
	}
	return out, nil
}

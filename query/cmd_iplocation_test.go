package query

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeGeoDBs writes a small City database and an ASN database with
// maxmind/mmdbwriter, in GeoLite2's record shapes.
func writeGeoDBs(t *testing.T) (city, asn string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, kind string, records map[string]mmdbtype.Map) string {
		tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: kind, RecordSize: 24, IncludeReservedNetworks: true})
		if err != nil {
			t.Fatal(err)
		}
		for cidr, rec := range records {
			_, n, err := net.ParseCIDR(cidr)
			if err != nil {
				t.Fatal(err)
			}
			if err := tree.Insert(n, rec); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := tree.WriteTo(f); err != nil {
			t.Fatal(err)
		}
		return p
	}
	place := func(code, country, region, cityName string, lat, lon float64) mmdbtype.Map {
		return mmdbtype.Map{
			"country":      mmdbtype.Map{"iso_code": mmdbtype.String(code), "names": mmdbtype.Map{"en": mmdbtype.String(country)}},
			"subdivisions": mmdbtype.Slice{mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(region)}}},
			"city":         mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(cityName)}},
			"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon)},
		}
	}
	city = write("city.mmdb", "GeoLite2-City", map[string]mmdbtype.Map{
		"24.151.0.0/16":   place("US", "United States", "Connecticut", "Hartford", 41.76, -72.68),
		"85.245.0.0/16":   place("PT", "Portugal", "Lisbon", "Lisbon", 38.72, -9.14),
		"2001:db8::/32":   place("DE", "Germany", "Berlin", "Berlin", 52.52, 13.40),
		"91.197.232.0/24": {"country": mmdbtype.Map{"iso_code": mmdbtype.String("UA"), "names": mmdbtype.Map{"en": mmdbtype.String("Ukraine")}}},
	})
	asn = write("asn.mmdb", "GeoLite2-ASN", map[string]mmdbtype.Map{
		"24.151.0.0/16": {"autonomous_system_number": mmdbtype.Uint32(7843), "autonomous_system_organization": mmdbtype.String("Charter Communications")},
		"85.245.0.0/16": {"autonomous_system_number": mmdbtype.Uint32(2860), "autonomous_system_organization": mmdbtype.String("NOS COMUNICACOES")},
	})
	return city, asn
}

// TestIplocation: the fields from a City and an ASN database built here,
// for addresses of several kinds, and null for what none knows.
func TestIplocation(t *testing.T) {
	city, asn := writeGeoDBs(t)
	lines := []string{
		`{"time":"2025-03-06T00:00:01Z","ip":"24.151.103.17"}`,
		`{"time":"2025-03-06T00:00:02Z","ip":"85.245.107.41"}`,
		`{"time":"2025-03-06T00:00:03Z","ip":"91.197.232.109"}`,
		`{"time":"2025-03-06T00:00:04Z","ip":"2001:db8::1"}`,
		`{"time":"2025-03-06T00:00:05Z","ip":"10.0.0.1"}`,
		`{"time":"2025-03-06T00:00:06Z","ip":"not an address"}`,
		`{"time":"2025-03-06T00:00:07Z"}`,
	}
	st := jsonStore(t, lines)
	q, err := Parse(`* | iplocation ip prefix=geo_ | table ip, geo_country, geo_country_code, geo_region, geo_city, geo_lat, geo_lon, geo_asn, geo_asn_org`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	_, err = Run(context.Background(), st, q, Options{GeoIP: []string{city, asn}}, func(b *Batch) error {
		for r := range b.Len {
			var cells []string
			for k := range b.Fields {
				cells = append(cells, b.Cols[k][r].String())
			}
			got = append(got, strings.Join(cells, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"24.151.103.17|United States|US|Connecticut|Hartford|41.76|-72.68|7843|Charter Communications",
		"85.245.107.41|Portugal|PT|Lisbon|Lisbon|38.72|-9.14|2860|NOS COMUNICACOES",
		"91.197.232.109|Ukraine|UA||||||",
		"2001:db8::1|Germany|DE|Berlin|Berlin|52.52|13.4||",
		"10.0.0.1||||||||",
		"not an address||||||||",
		"||||||||",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// LOGHUNT_GEOIP when the options name none
	t.Setenv("LOGHUNT_GEOIP", city+string(os.PathListSeparator)+asn)
	q2, _ := Parse(`ip=24.151.103.17 | iplocation ip | table country, asn`)
	n := 0
	if _, err := Run(context.Background(), st, q2, Options{}, func(b *Batch) error {
		for r := range b.Len {
			n++
			if b.Get("country", r).String() != "United States" || b.Get("asn", r).String() != "7843" {
				t.Errorf("from LOGHUNT_GEOIP: %s %s", b.Get("country", r), b.Get("asn", r))
			}
		}
		return nil
	}); err != nil || n != 1 {
		t.Fatalf("%d rows, %v", n, err)
	}
	// without a database: how to get one
	t.Setenv("LOGHUNT_GEOIP", "")
	if _, err := Run(context.Background(), st, q2, Options{}, func(*Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), "GeoLite2-City") || !strings.Contains(err.Error(), "db-ip.com") {
		t.Errorf("without a database: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.mmdb")
	os.WriteFile(bad, []byte("not a database"), 0o600)
	if _, err := Run(context.Background(), st, q2, Options{GeoIP: []string{bad}}, func(*Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("a damaged database: %v", err)
	}
}

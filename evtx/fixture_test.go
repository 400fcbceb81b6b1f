package evtx

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture reads a gzip-compressed EVTX file of testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".evtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fixtures = []struct {
	name    string
	records int
}{
	{"sysmon11_redsun", 1},
	{"wmi5858_userdata", 1},
	{"taskscheduler142", 1},
	{"sysmon11_netexec_7records", 7},
}

// TestFixturesMatchJSON is the ground-truth comparison on the fixtures, so
// that it runs without the shared datasets.
func TestFixturesMatchJSON(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			recs, errs := decodeBytes(t, fixture(t, fx.name))
			if len(errs) > 0 {
				t.Fatalf("damage: %v", errs)
			}
			if len(recs) != fx.records {
				t.Fatalf("%d records, want %d", len(recs), fx.records)
			}
			want, err := readJSONRenderings(filepath.Join("testdata", fx.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if diffs := compareRecords(recs, want); len(diffs) > 0 {
				t.Errorf("%d differences:\n  %s", len(diffs), strings.Join(diffs, "\n  "))
			}
		})
	}
}

// TestFixtureXMLAndTime checks one record's whole XML text and its times.
func TestFixtureXMLAndTime(t *testing.T) {
	recs, errs := decodeBytes(t, fixture(t, "sysmon11_redsun"))
	if len(errs) > 0 || len(recs) != 1 {
		t.Fatalf("%d records, damage %v", len(recs), errs)
	}
	r := recs[0]
	const want = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>` +
		`<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"/>` +
		`<EventID>11</EventID><Version>2</Version><Level>4</Level><Task>11</Task><Opcode>0</Opcode>` +
		`<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2026-04-17T05:24:53.0920519Z"/>` +
		`<EventRecordID>83239</EventRecordID><Correlation/><Execution ProcessID="3208" ThreadID="1724"/>` +
		`<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>swachchhanda</Computer>` +
		`<Security UserID="S-1-5-18"/></System><EventData><Data Name="RuleName">EXE</Data>` +
		`<Data Name="UtcTime">2026-04-17 05:24:53.079</Data>` +
		`<Data Name="ProcessGuid">{0197231e-c424-69e1-c922-000000000800}</Data>` +
		`<Data Name="ProcessId">15596</Data><Data Name="Image">C:\Users\xodih\Downloads\RedSun.exe</Data>` +
		`<Data Name="TargetFilename">C:\Users\xodih\AppData\Local\Temp\RS-{05A3207F-23AB-432D-BDAF-69A8306619CF}\TieringEngineService.exe</Data>` +
		`<Data Name="CreationUtcTime">2026-04-17 05:24:53.079</Data><Data Name="User">swachchhanda\xodih</Data>` +
		`</EventData></Event>`
	if r.XML != want {
		t.Errorf("XML:\n got %s\nwant %s", r.XML, want)
	}
	if wantT := time.Date(2026, 4, 17, 5, 24, 53, 92051900, time.UTC); !r.Time.Equal(wantT) {
		t.Errorf("time %v, want %v", r.Time, wantT)
	}
	if r.ID != 1 || r.Offset != fileHeaderSize+chunkHeaderSize {
		t.Errorf("id %d offset %d", r.ID, r.Offset)
	}
	if v, ok := r.Get("EventID"); !ok || v.Text != "11" {
		t.Errorf("EventID %+v", v)
	} else if i, ok := v.Int(); !ok || i != 11 {
		t.Errorf("EventID as int: %d %v", i, ok)
	}
}

// TestFixtureHeaders checks the header accessors on a real file.
func TestFixtureHeaders(t *testing.T) {
	b := fixture(t, "sysmon11_netexec_7records")
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Header.ChecksumOK || f.Header.MajorVersion != 3 || f.Header.NumChunks != 1 {
		t.Errorf("header %+v", f.Header)
	}
	hs, errs := f.Chunks()
	if len(hs) != 1 || errs[0] != nil || hs[0].Records() != 7 || f.Header.NextRecordID != hs[0].LastRecordID+1 {
		t.Errorf("chunks %+v, errors %v, header %+v", hs, errs, f.Header)
	}
}

package evtx

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// decodeBytes decodes an in-memory file into records and damage reports.
func decodeBytes(t testing.TB, b []byte) ([]*Record, []error) {
	t.Helper()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var recs []*Record
	var errs []error
	for r, err := range f.Records() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, r)
	}
	return recs, errs
}

// fieldList renders fields as name=text lines, for comparison.
func fieldList(fs []Field) string {
	var sb strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&sb, "%s=%s (%s)\n", f.Name, f.Value.Text, f.Value.Type)
	}
	return sb.String()
}

const systemXML = `<System><Provider Name="Test-Provider"/><EventID>1</EventID>` +
	`<TimeCreated SystemTime="2019-04-17T18:40:00.000000%dZ"/><EventRecordID>%d</EventRecordID>` +
	`<Correlation/><Channel>Test/Operational</Channel></System>`

const systemFields = "Provider_Name=Test-Provider (string)\nEventID=1 (uint16)\n" +
	"TimeCreated_SystemTime=2019-04-17T18:40:00.000000%dZ (filetime)\nEventRecordID=%d (uint64)\n" +
	"Channel=Test/Operational (string)\n"

func TestRecordsThroughTemplates(t *testing.T) {
	const ns = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`
	cases := []struct {
		name   string
		data   []bn   // EventData children in the template
		vals   []tval // values after the six of System
		xml    string // EventData part of the XML
		fields string // fields after System's
	}{
		{
			name:   "named data of several types",
			data:   []bn{dataEl("User", 6, TypeString), dataEl("Guid", 7, TypeGUID), dataEl("Pid", 8, TypeUint32), dataEl("Sid", 9, TypeSID)},
			vals:   []tval{vStr(`DOM\a&b <c> "q"`), {t: TypeGUID, b: sysmonGUID}, {t: TypeUint32, b: le32(4)}, {t: TypeSID, b: sid21}},
			xml:    `<EventData><Data Name="User">DOM\a&amp;b &lt;c&gt; "q"</Data><Data Name="Guid">{5770385f-c22a-43e0-bf4c-06f5698ffbd9}</Data><Data Name="Pid">4</Data><Data Name="Sid">S-1-5-21-1-2-3-500</Data></EventData>`,
			fields: "User=DOM\\a&b <c> \"q\" (string)\nGuid={5770385f-c22a-43e0-bf4c-06f5698ffbd9} (guid)\nPid=4 (uint32)\nSid=S-1-5-21-1-2-3-500 (sid)\n",
		},
		{
			name:   "unnamed data keep their positions, empty ones too",
			data:   []bn{el{name: "Data", kids: []bn{sub{6, TypeString, true}}}, el{name: "Data", kids: []bn{sub{7, TypeString, true}}}, el{name: "Data", kids: []bn{sub{8, TypeString, true}}}, el{name: "Binary", kids: []bn{sub{9, TypeBinary, true}}}},
			vals:   []tval{vStr("first"), vNull(), vStr("third"), {t: TypeBinary, b: []byte{0xd9, 6}}},
			xml:    `<EventData><Data>first</Data><Data/><Data>third</Data><Binary>D906</Binary></EventData>`,
			fields: "Data=first (string)\nData_1= (string)\nData_2=third (string)\nBinary=D906 (binary)\n",
		},
		{
			name: "references, CDATA, PI and text in several tokens",
			data: []bn{
				el{name: "Data", attrs: []at{{"Name", []bn{tx("Refs")}}}, kids: []bn{tx("a"), eref("amp"), tx("b"), cref(0x41), eref("lt"), eref("nbsp")}},
				el{name: "Data", attrs: []at{{"Name", []bn{tx("Script")}}}, kids: []bn{cdata("if (a < b && c]]>d) {}")}},
				pi{"xml-stylesheet", `href="s.xsl"`},
				el{name: "Data", attrs: []at{{"Name", []bn{tx("Parts")}}}, kids: []bn{tx("pid="), sub{6, TypeUint32, false}, tx("!")}},
			},
			vals: []tval{{t: TypeUint32, b: le32(77)}},
			xml: `<EventData><Data Name="Refs">a&amp;b&#65;&lt;&nbsp;</Data><Data Name="Script"><![CDATA[if (a < b && c]]]]><![CDATA[>d) {}]]></Data>` +
				`<?xml-stylesheet href="s.xsl"?><Data Name="Parts">pid=77!</Data></EventData>`,
			fields: "Refs=a&bA<&nbsp; (string)\nScript=if (a < b && c]]>d) {} (string)\nParts=pid=77! (string)\n",
		},
		{
			name: "attributes: optional null left out, multi-part as string, entity in value",
			data: []bn{el{name: "Data", attrs: []at{
				{"Name", []bn{tx("X")}},
				{"Opt", []bn{sub{6, TypeString, true}}},
				{"Mixed", []bn{tx("v"), sub{7, TypeUint8, false}, eref("quot")}},
				{"Typed", []bn{sub{8, TypeHexInt32, false}}},
			}, kids: []bn{tx("x")}}},
			vals:   []tval{vNull(), {t: TypeUint8, b: []byte{3}}, {t: TypeHexInt32, b: le32(255)}},
			xml:    `<EventData><Data Name="X" Mixed="v3&quot;" Typed="0xff">x</Data></EventData>`,
			fields: "X=x (string)\nX_Mixed=v3\" (string)\nX_Typed=0xff (hexint32)\n",
		},
		{
			name: "attributes: no value, a normal null substitution",
			data: []bn{el{name: "Data", attrs: []at{
				{"Name", []bn{tx("Y")}}, {"Bare", nil}, {"Null", []bn{sub{6, TypeString, false}}},
			}}},
			vals:   []tval{vNull()},
			xml:    `<EventData><Data Name="Y" Bare="" Null=""/></EventData>`,
			fields: "Y_Bare= (string)\nY_Null= (string)\n",
		},
		{
			name:   "an array repeats its element, an empty array gives one empty element",
			data:   []bn{dataEl("Port", 6, TypeUint16|ArrayFlag), dataEl("Names", 7, TypeString|ArrayFlag)},
			vals:   []tval{{t: TypeUint16 | ArrayFlag, b: le16(80, 443)}, {t: TypeString | ArrayFlag}},
			xml:    `<EventData><Data Name="Port">80</Data><Data Name="Port">443</Data><Data Name="Names"/></EventData>`,
			fields: "Port=80 (uint16)\nPort_1=443 (uint16)\nNames= (string)\n",
		},
		{
			name:   "EventData attributes and nested elements",
			data:   []bn{el{name: "Outer", attrs: []at{{"Kind", []bn{tx("k")}}}, kids: []bn{el{name: "Inner", kids: []bn{tx("v")}}, el{name: "Inner", kids: []bn{tx("w")}}}}},
			xml:    `<EventData><Outer Kind="k"><Inner>v</Inner><Inner>w</Inner></Outer></EventData>`,
			fields: "Outer_Kind=k (string)\nOuter_Inner=v (string)\nOuter_Inner_1=w (string)\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := newChunkB()
			tmpl := &tinst{def: eventTemplate(c.data...), vals: append(systemVals(1), c.vals...)}
			ch.record(1, tmpl)
			// The second record refers to the first one's template.
			ch.record(2, &tinst{ref: tmpl, vals: append(systemVals(2), c.vals...)})
			recs, errs := decodeBytes(t, evtxFile(3, ch.bytes()))
			if len(errs) > 0 {
				t.Fatalf("damage: %v", errs)
			}
			if len(recs) != 2 {
				t.Fatalf("%d records, want 2", len(recs))
			}
			for i, r := range recs {
				id := i + 1
				wantXML := ns + fmt.Sprintf(systemXML, id, id) + c.xml + "</Event>"
				if r.XML != wantXML {
					t.Errorf("record %d XML:\n got %s\nwant %s", id, r.XML, wantXML)
				}
				wantFields := fmt.Sprintf(systemFields, id, id) + c.fields
				if got := fieldList(r.Fields); got != wantFields {
					t.Errorf("record %d fields:\n got %s\nwant %s", id, got, wantFields)
				}
				wantTime := time.Date(2019, 4, 17, 18, 40, 0, 100*id, time.UTC)
				if r.ID != uint64(id) || !r.Time.Equal(wantTime) {
					t.Errorf("record %d: id %d time %v, want %v", id, r.ID, r.Time, wantTime)
				}
			}
		})
	}
}

// TestNestedBinXMLValues covers UserData given as a BinXML value: a
// fragment with its own template instance (as Windows writes it), and an
// element directly in the value without dependency identifiers.
func TestNestedBinXMLValues(t *testing.T) {
	inner := &tinst{
		def: []bn{el{name: "LogFileCleared", attrs: []at{{"xmlns", []bn{tx("http://manifests.microsoft.com/win/2004/08/windows/eventlog")}}}, kids: []bn{
			el{name: "SubjectUserName", kids: []bn{sub{0, TypeString, false}}},
			el{name: "Client", attrs: []at{{"Port", []bn{sub{1, TypeUint16, false}}}}},
		}}},
		vals: []tval{vStr("alice"), vU16(445)},
	}
	direct := el{name: "Op", noDep: true, attrs: []at{{"Id", []bn{tx("7")}}}, kids: []bn{el{name: "User", noDep: true, kids: []bn{tx("bob")}}}}
	withDep := el{name: "Op", attrs: []at{{"Id", []bn{tx("7")}}}, kids: []bn{el{name: "User", kids: []bn{tx("bob")}}}}
	cases := []struct {
		name   string
		value  tval
		xml    string
		fields string
	}{
		{"fragment and template instance", vBinXML(raw{tokFragmentHeader, 1, 1, 0}, inner),
			`<UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserName>alice</SubjectUserName><Client Port="445"/></LogFileCleared></UserData>`,
			"SubjectUserName=alice (string)\nClient_Port=445 (uint16)\n"},
		{"element without dependency identifiers", vBinXML(direct),
			`<UserData><Op Id="7"><User>bob</User></Op></UserData>`,
			"Op_Id=7 (string)\nUser=bob (string)\n"},
		{"element with dependency identifiers", vBinXML(withDep),
			`<UserData><Op Id="7"><User>bob</User></Op></UserData>`,
			"Op_Id=7 (string)\nUser=bob (string)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			def := []bn{el{name: "Event", kids: []bn{
				el{name: "System", kids: []bn{el{name: "EventID", kids: []bn{sub{0, TypeUint16, false}}}}},
				el{name: "UserData", kids: []bn{sub{1, TypeBinXML, false}}},
				el{name: "RenderingInfo", attrs: []at{{"Culture", []bn{tx("en-US")}}}, kids: []bn{el{name: "Level", kids: []bn{tx("Information")}}}},
			}}}
			ch := newChunkB()
			ch.record(9, &tinst{def: def, vals: []tval{vU16(1102), c.value}})
			recs, errs := decodeBytes(t, evtxFile(10, ch.bytes()))
			if len(errs) > 0 || len(recs) != 1 {
				t.Fatalf("%d records, damage %v", len(recs), errs)
			}
			wantXML := `<Event><System><EventID>1102</EventID></System>` + c.xml +
				`<RenderingInfo Culture="en-US"><Level>Information</Level></RenderingInfo></Event>`
			if recs[0].XML != wantXML {
				t.Errorf("XML:\n got %s\nwant %s", recs[0].XML, wantXML)
			}
			wantFields := "EventID=1102 (uint16)\n" + c.fields + "RenderingInfo_Culture=en-US (string)\nRenderingInfo_Level=Information (string)\n"
			if got := fieldList(recs[0].Fields); got != wantFields {
				t.Errorf("fields:\n got %s\nwant %s", got, wantFields)
			}
			// No TimeCreated: the record's written time.
			if !recs[0].Time.Equal(recs[0].Written) || recs[0].Written.IsZero() {
				t.Errorf("time %v, written %v", recs[0].Time, recs[0].Written)
			}
		})
	}
}

// TestRecordWithoutTemplate decodes an event stored as plain BinXML
// elements, with a name referred to by offset rather than stored inline.
func TestRecordWithoutTemplate(t *testing.T) {
	ch := newChunkB()
	ch.record(5, el{name: "Event", kids: []bn{el{name: "System", kids: []bn{
		el{name: "EventID", kids: []bn{tx("4624")}},
		el{name: "Computer", kids: []bn{tx("WS1")}},
	}}}})
	// A second record reusing the name "Event" of the first by its offset.
	nameOff := chunkHeaderSize + recordHeader + 4 + 1 + 2 + 4 + 4
	ch.record(6, raw(cat([]byte{tokOpenStart, 0xff, 0xff}, le32(5), le32(uint32(nameOff)), []byte{tokCloseEmpty})))
	recs, errs := decodeBytes(t, evtxFile(7, ch.bytes()))
	if len(errs) > 0 || len(recs) != 2 {
		t.Fatalf("%d records, damage %v", len(recs), errs)
	}
	if want := "<Event><System><EventID>4624</EventID><Computer>WS1</Computer></System></Event>"; recs[0].XML != want {
		t.Errorf("XML %s, want %s", recs[0].XML, want)
	}
	if got := fieldList(recs[0].Fields); got != "EventID=4624 (string)\nComputer=WS1 (string)\n" {
		t.Errorf("fields %s", got)
	}
	if recs[1].XML != "<Event/>" {
		t.Errorf("second record XML %s, want <Event/>", recs[1].XML)
	}
}

package evtx

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"
)

func le16(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func le32(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

func le64(v ...uint64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, x)
	}
	return b
}

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// sysmonGUID is {5770385F-C22A-43E0-BF4C-06F5698FFBD9} as stored.
var sysmonGUID = cat(le32(0x5770385F), le16(0xC22A, 0x43E0), []byte{0xBF, 0x4C, 0x06, 0xF5, 0x69, 0x8F, 0xFB, 0xD9})

// sid21 is S-1-5-21-1-2-3-500.
var sid21 = cat([]byte{1, 5, 0, 0, 0, 0, 0, 5}, le32(21, 1, 2, 3, 500))

func TestDecodeValue(t *testing.T) {
	const ft = 132000000000000000 // 2019-04-17T18:40:00Z
	cases := []struct {
		name string
		t    ValueType
		b    []byte
		text string
		// a check of the binary value, nil for none
		check func(v Value) bool
	}{
		{"string", TypeString, cat(utf16le("héllo €"), le16(0)), "héllo €", nil},
		{"string surrogate pair", TypeString, utf16le("a😀b"), "a😀b", nil},
		{"string unpaired surrogate", TypeString, le16(0xd800, 'x'), "\uFFFDx", nil},
		{"ansi", TypeAnsi, []byte("abc\x00"), "abc", nil},
		{"ansi latin-1", TypeAnsi, []byte{'c', 0xe9}, "cé", nil},
		{"int8", TypeInt8, []byte{0xff}, "-1", func(v Value) bool { i, ok := v.Int(); return ok && i == -1 }},
		{"uint8", TypeUint8, []byte{0xff}, "255", func(v Value) bool { i, ok := v.Int(); return ok && i == 255 }},
		{"int16", TypeInt16, le16(0xfffe), "-2", func(v Value) bool { i, ok := v.Int(); return ok && i == -2 }},
		{"uint16", TypeUint16, le16(0xfffe), "65534", nil},
		{"int32", TypeInt32, le32(0xfffffffb), "-5", func(v Value) bool { i, ok := v.Int(); return ok && i == -5 }},
		{"uint32", TypeUint32, le32(4000000000), "4000000000", nil},
		{"int64", TypeInt64, le64(uint64(0xffffffffffffffff - 8999999999)), "-9000000000", nil},
		{"uint64 max", TypeUint64, le64(math.MaxUint64), "18446744073709551615",
			func(v Value) bool { _, iok := v.Int(); u, ok := v.Uint(); return !iok && ok && u == math.MaxUint64 }},
		{"real32", TypeReal32, le32(math.Float32bits(1.5)), "1.5", func(v Value) bool { f, ok := v.Float(); return ok && f == 1.5 }},
		{"real64", TypeReal64, le64(math.Float64bits(0.1)), "0.1", func(v Value) bool { f, ok := v.Float(); return ok && f == 0.1 }},
		{"bool true", TypeBool, le32(1), "true", func(v Value) bool { b, ok := v.Bool(); return ok && b }},
		{"bool false", TypeBool, le32(0), "false", func(v Value) bool { b, ok := v.Bool(); return ok && !b }},
		{"binary", TypeBinary, []byte{0x0a, 0xbc, 0x00}, "0ABC00", nil},
		{"guid", TypeGUID, sysmonGUID, "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}", nil},
		{"size_t 32", TypeSizeT, le32(0x10), "0x10", nil},
		{"size_t 64", TypeSizeT, le64(0x7ffe0000a000), "0x7ffe0000a000", nil},
		{"filetime", TypeFileTime, le64(ft + 1234567), "2019-04-17T18:40:00.1234567Z",
			func(v Value) bool {
				tm, ok := v.Time()
				return ok && tm.Equal(time.Date(2019, 4, 17, 18, 40, 0, 123456700, time.UTC))
			}},
		{"systemtime", TypeSysTime, le16(2020, 2, 6, 29, 13, 14, 15, 16), "2020-02-29T13:14:15.016Z",
			func(v Value) bool {
				tm, ok := v.Time()
				return ok && tm.Equal(time.Date(2020, 2, 29, 13, 14, 15, 16e6, time.UTC))
			}},
		{"sid", TypeSID, sid21, "S-1-5-21-1-2-3-500", nil},
		{"sid system", TypeSID, cat([]byte{1, 1, 0, 0, 0, 0, 0, 5}, le32(18)), "S-1-5-18", nil},
		{"sid big authority", TypeSID, []byte{1, 0, 1, 0, 0, 0, 0, 0}, "S-1-0x010000000000", nil},
		{"hexint32", TypeHexInt32, le32(0x1fffff), "0x1fffff",
			func(v Value) bool { _, iok := v.Int(); u, ok := v.Uint(); return !iok && ok && u == 0x1fffff }},
		{"hexint64", TypeHexInt64, le64(0x8000000000000000), "0x8000000000000000", nil},
		{"evthandle as hex", TypeEvtHandle, []byte{1, 2}, "0102", nil},
		{"null", TypeNull, nil, "", nil},
		{"string array", TypeString | ArrayFlag, cat(utf16le("a"), le16(0), utf16le("bc"), le16(0)), "a, bc",
			func(v Value) bool {
				return len(v.Items) == 2 && v.Items[1].Text == "bc" && v.Items[1].Type == TypeString
			}},
		{"string array with empty item", TypeString | ArrayFlag, cat(le16(0), utf16le("b"), le16(0)), ", b", nil},
		{"ansi array", TypeAnsi | ArrayFlag, []byte("x\x00yz\x00"), "x, yz", nil},
		{"uint16 array", TypeUint16 | ArrayFlag, le16(1, 2, 3), "1, 2, 3",
			func(v Value) bool { i, ok := v.Items[2].Int(); return len(v.Items) == 3 && ok && i == 3 }},
		{"int8 array", TypeInt8 | ArrayFlag, []byte{0xff, 1}, "-1, 1", nil},
		{"int64 array", TypeInt64 | ArrayFlag, le64(1, math.MaxUint64), "1, -1", nil},
		{"real64 array", TypeReal64 | ArrayFlag, le64(math.Float64bits(2.5)), "2.5", nil},
		{"bool array", TypeBool | ArrayFlag, le32(1, 0), "true, false", nil},
		{"guid array", TypeGUID | ArrayFlag, cat(sysmonGUID, make([]byte, 16)),
			"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}, {00000000-0000-0000-0000-000000000000}", nil},
		{"filetime array", TypeFileTime | ArrayFlag, le64(ft), "2019-04-17T18:40:00.0000000Z", nil},
		{"systemtime array", TypeSysTime | ArrayFlag, le16(2001, 1, 1, 2, 3, 4, 5, 6), "2001-01-02T03:04:05.006Z", nil},
		{"sid array", TypeSID | ArrayFlag, cat(sid21, []byte{1, 1, 0, 0, 0, 0, 0, 5}, le32(18)), "S-1-5-21-1-2-3-500, S-1-5-18", nil},
		{"hexint32 array", TypeHexInt32 | ArrayFlag, le32(1, 0xff), "0x1, 0xff", nil},
		{"hexint64 array", TypeHexInt64 | ArrayFlag, le64(16), "0x10", nil},
		{"size_t array", TypeSizeT | ArrayFlag, le64(1, 2), "0x1, 0x2", nil},
		{"empty array", TypeUint32 | ArrayFlag, nil, "", func(v Value) bool { return v.Items != nil && len(v.Items) == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := decodeValue(c.t, c.b)
			if err != nil {
				t.Fatal(err)
			}
			if v.Text != c.text || v.Type != c.t {
				t.Errorf("got %q (%s), want %q (%s)", v.Text, v.Type, c.text, c.t)
			}
			if c.check != nil && !c.check(v) {
				t.Errorf("binary value check failed for %+v", v)
			}
		})
	}
}

func TestDecodeValueErrors(t *testing.T) {
	cases := []struct {
		name string
		t    ValueType
		b    []byte
	}{
		{"uint16 of 3 bytes", TypeUint16, []byte{1, 2, 3}},
		{"int32 of 2 bytes", TypeInt32, []byte{1, 2}},
		{"guid of 15 bytes", TypeGUID, make([]byte, 15)},
		{"filetime of 4 bytes", TypeFileTime, make([]byte, 4)},
		{"systemtime of 8 bytes", TypeSysTime, make([]byte, 8)},
		{"size_t of 6 bytes", TypeSizeT, make([]byte, 6)},
		{"sid shorter than its count", TypeSID, []byte{1, 3, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0}},
		{"sid of 4 bytes", TypeSID, []byte{1, 0, 0, 0}},
		{"uint32 array of 6 bytes", TypeUint32 | ArrayFlag, make([]byte, 6)},
		{"sid array cut", TypeSID | ArrayFlag, sid21[:10]},
		{"binxml array", TypeBinary | ArrayFlag, []byte{1}},
	}
	for _, c := range cases {
		if v, err := decodeValue(c.t, c.b); err == nil {
			t.Errorf("%s: no error, got %+v", c.name, v)
		}
	}
}

func TestValueTypeString(t *testing.T) {
	for vt, want := range map[ValueType]string{
		TypeString: "string", TypeHexInt64 | ArrayFlag: "hexint64[]", 0x7f: "type(0x7f)",
	} {
		if got := vt.String(); got != want || !strings.Contains(got, strings.TrimSuffix(want, "[]")) {
			t.Errorf("%#x: %q, want %q", uint8(vt), got, want)
		}
	}
}

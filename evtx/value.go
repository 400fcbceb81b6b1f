package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ValueType is a BinXML value type (MS-EVEN6 2.2.18; libevtx "Value types").
// ArrayFlag marks an array of the base type.
type ValueType uint8

// The BinXML value types.
const (
	TypeNull      ValueType = 0x00
	TypeString    ValueType = 0x01 // UTF-16LE
	TypeAnsi      ValueType = 0x02 // 8-bit code page string
	TypeInt8      ValueType = 0x03
	TypeUint8     ValueType = 0x04
	TypeInt16     ValueType = 0x05
	TypeUint16    ValueType = 0x06
	TypeInt32     ValueType = 0x07
	TypeUint32    ValueType = 0x08
	TypeInt64     ValueType = 0x09
	TypeUint64    ValueType = 0x0a
	TypeReal32    ValueType = 0x0b
	TypeReal64    ValueType = 0x0c
	TypeBool      ValueType = 0x0d // 32-bit, 0 or 1
	TypeBinary    ValueType = 0x0e
	TypeGUID      ValueType = 0x0f
	TypeSizeT     ValueType = 0x10 // 32 or 64 bits, shown in hexadecimal
	TypeFileTime  ValueType = 0x11
	TypeSysTime   ValueType = 0x12
	TypeSID       ValueType = 0x13
	TypeHexInt32  ValueType = 0x14
	TypeHexInt64  ValueType = 0x15
	TypeEvtHandle ValueType = 0x20
	TypeBinXML    ValueType = 0x21 // a nested BinXML fragment
	TypeEvtXML    ValueType = 0x23

	ArrayFlag ValueType = 0x80
)

// Base returns the type without the array flag.
func (t ValueType) Base() ValueType { return t &^ ArrayFlag }

// IsArray reports whether t is an array type.
func (t ValueType) IsArray() bool { return t&ArrayFlag != 0 }

var typeNames = map[ValueType]string{
	TypeNull: "null", TypeString: "string", TypeAnsi: "ansistring",
	TypeInt8: "int8", TypeUint8: "uint8", TypeInt16: "int16", TypeUint16: "uint16",
	TypeInt32: "int32", TypeUint32: "uint32", TypeInt64: "int64", TypeUint64: "uint64",
	TypeReal32: "real32", TypeReal64: "real64", TypeBool: "bool", TypeBinary: "binary",
	TypeGUID: "guid", TypeSizeT: "sizet", TypeFileTime: "filetime", TypeSysTime: "systemtime",
	TypeSID: "sid", TypeHexInt32: "hexint32", TypeHexInt64: "hexint64",
	TypeEvtHandle: "evthandle", TypeBinXML: "binxml", TypeEvtXML: "evtxml",
}

func (t ValueType) String() string {
	s, ok := typeNames[t.Base()]
	if !ok {
		s = fmt.Sprintf("type(0x%02x)", uint8(t.Base()))
	}
	if t.IsArray() {
		return s + "[]"
	}
	return s
}

// Value is one rendered value: its BinXML type and its text as the event's
// XML shows it (unescaped). Numbers also keep their binary value.
//
// Renderings: integers in decimal; hex integers and size_t as 0x%x
// (lower case, no padding); floats in Go's shortest 'g' form; bools as
// true/false; binary as upper-case hex; GUIDs as {lower-case} with braces
// (as Windows renders them); FILETIME as 2006-01-02T15:04:05.0000000Z (all
// seven digits of its 100 ns resolution); SYSTEMTIME with milliseconds; SIDs
// as S-1-5-18. A value assembled from literal text and several parts is a
// string. An array has Type with ArrayFlag, one Items entry per element, and
// Text the items joined by ", ".
type Value struct {
	Type  ValueType
	Text  string
	Items []Value // array elements, nil unless Type.IsArray()
	bits  uint64  // integer bits, float bits, bool, or FILETIME ticks
}

// Int returns the value as a signed integer, for the signed and unsigned
// integer types that fit (not hex integers, which Windows shows as text).
func (v Value) Int() (int64, bool) {
	switch v.Type {
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64:
		return int64(v.bits), true
	case TypeUint8, TypeUint16, TypeUint32, TypeUint64:
		if v.bits > math.MaxInt64 {
			return 0, false
		}
		return int64(v.bits), true
	}
	return 0, false
}

// Uint returns the bits of an integer, hex integer, size_t or bool value.
func (v Value) Uint() (uint64, bool) {
	switch v.Type {
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64, TypeUint8, TypeUint16, TypeUint32,
		TypeUint64, TypeHexInt32, TypeHexInt64, TypeSizeT, TypeBool:
		return v.bits, true
	}
	return 0, false
}

// Float returns the value of a real32 or real64.
func (v Value) Float() (float64, bool) {
	if v.Type == TypeReal32 || v.Type == TypeReal64 {
		return math.Float64frombits(v.bits), true
	}
	return 0, false
}

// Bool returns the value of a bool.
func (v Value) Bool() (bool, bool) {
	if v.Type == TypeBool {
		return v.bits != 0, true
	}
	return false, false
}

// Time returns the value of a FILETIME or SYSTEMTIME, in UTC.
func (v Value) Time() (time.Time, bool) {
	switch v.Type {
	case TypeFileTime:
		return filetime(v.bits), true
	case TypeSysTime:
		return time.UnixMilli(int64(v.bits)).UTC(), true
	}
	return time.Time{}, false
}

var errValueSize = errors.New("bad value size")

// decodeValue renders a substitution value of type t from b. BinXML values
// are not handled here (the renderer expands them in place).
func decodeValue(t ValueType, b []byte) (Value, error) {
	if t.IsArray() {
		return decodeArray(t, b)
	}
	v := Value{Type: t}
	le := binary.LittleEndian
	need := func(n int) error {
		if len(b) != n {
			return fmt.Errorf("%s value of %d bytes: %w", t, len(b), errValueSize)
		}
		return nil
	}
	switch t {
	case TypeNull:
	case TypeString:
		v.Text = utf16String(b)
	case TypeAnsi:
		v.Text = ansiString(b)
	case TypeInt8, TypeUint8:
		if err := need(1); err != nil {
			return v, err
		}
		if t == TypeInt8 {
			v.bits = uint64(int64(int8(b[0])))
		} else {
			v.bits = uint64(b[0])
		}
	case TypeInt16, TypeUint16:
		if err := need(2); err != nil {
			return v, err
		}
		if t == TypeInt16 {
			v.bits = uint64(int64(int16(le.Uint16(b))))
		} else {
			v.bits = uint64(le.Uint16(b))
		}
	case TypeInt32, TypeUint32, TypeHexInt32, TypeBool:
		if err := need(4); err != nil {
			return v, err
		}
		if t == TypeInt32 {
			v.bits = uint64(int64(int32(le.Uint32(b))))
		} else {
			v.bits = uint64(le.Uint32(b))
		}
	case TypeInt64, TypeUint64, TypeHexInt64, TypeFileTime:
		if err := need(8); err != nil {
			return v, err
		}
		v.bits = le.Uint64(b)
	case TypeSizeT:
		switch len(b) {
		case 4:
			v.bits = uint64(le.Uint32(b))
		case 8:
			v.bits = le.Uint64(b)
		default:
			return v, need(8)
		}
	case TypeReal32:
		if err := need(4); err != nil {
			return v, err
		}
		v.bits = math.Float64bits(float64(math.Float32frombits(le.Uint32(b))))
	case TypeReal64:
		if err := need(8); err != nil {
			return v, err
		}
		v.bits = le.Uint64(b)
	case TypeGUID:
		if err := need(16); err != nil {
			return v, err
		}
		v.Text = guidString(b)
	case TypeSysTime:
		if err := need(16); err != nil {
			return v, err
		}
		t, text := systemTime(b)
		v.bits, v.Text = uint64(t.UnixMilli()), text
	case TypeSID:
		s, err := sidString(b)
		if err != nil {
			return v, err
		}
		v.Text = s
	default: // binary, handles and unknown types are shown as hex
		v.Text = strings.ToUpper(hex.EncodeToString(b))
	}
	if v.Text == "" {
		v.Text = formatBits(t, v.bits)
	}
	return v, nil
}

// formatBits renders the numeric types from their bits.
func formatBits(t ValueType, bits uint64) string {
	switch t {
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(int64(bits), 10)
	case TypeUint8, TypeUint16, TypeUint32, TypeUint64:
		return strconv.FormatUint(bits, 10)
	case TypeHexInt32, TypeHexInt64, TypeSizeT:
		return "0x" + strconv.FormatUint(bits, 16)
	case TypeReal32:
		return strconv.FormatFloat(math.Float64frombits(bits), 'g', -1, 32)
	case TypeReal64:
		return strconv.FormatFloat(math.Float64frombits(bits), 'g', -1, 64)
	case TypeBool:
		if bits != 0 {
			return "true"
		}
		return "false"
	case TypeFileTime:
		return filetime(bits).Format("2006-01-02T15:04:05.0000000Z")
	}
	return ""
}

// elemSize is the size of one element of a fixed-size array type (0 for
// variable sizes).
func elemSize(t ValueType) int {
	switch t {
	case TypeInt8, TypeUint8:
		return 1
	case TypeInt16, TypeUint16:
		return 2
	case TypeInt32, TypeUint32, TypeHexInt32, TypeBool, TypeReal32:
		return 4
	case TypeInt64, TypeUint64, TypeHexInt64, TypeFileTime, TypeReal64:
		return 8
	case TypeGUID, TypeSysTime:
		return 16
	}
	return 0
}

// decodeArray splits an array value into its elements: strings at their
// terminating NUL, SIDs by their own length, size_t by the value size
// (whole 8-byte elements if it divides, else 4), the others by the fixed
// element size.
func decodeArray(t ValueType, b []byte) (Value, error) {
	base := t.Base()
	v := Value{Type: t, Items: []Value{}}
	add := func(e Value) { v.Items = append(v.Items, e) }
	switch base {
	case TypeString:
		for len(b) >= 2 {
			n := 0
			for n+1 < len(b) && (b[n] != 0 || b[n+1] != 0) {
				n += 2
			}
			add(Value{Type: TypeString, Text: utf16String(b[:n])})
			b = b[min(n+2, len(b)):]
		}
	case TypeAnsi:
		for len(b) > 0 {
			n := 0
			for n < len(b) && b[n] != 0 {
				n++
			}
			add(Value{Type: TypeAnsi, Text: ansiString(b[:n])})
			b = b[min(n+1, len(b)):]
		}
	case TypeSID:
		for len(b) > 0 {
			if len(b) < 8 {
				return v, fmt.Errorf("%s value: %w", t, errValueSize)
			}
			n := 8 + 4*int(b[1])
			if n > len(b) {
				return v, fmt.Errorf("%s value: %w", t, errValueSize)
			}
			e, err := decodeValue(base, b[:n])
			if err != nil {
				return v, err
			}
			add(e)
			b = b[n:]
		}
	default:
		n := elemSize(base)
		if base == TypeSizeT {
			n = 8
			if len(b)%8 != 0 {
				n = 4
			}
		}
		if n == 0 || len(b)%n != 0 {
			return v, fmt.Errorf("%s value of %d bytes: %w", t, len(b), errValueSize)
		}
		for ; len(b) > 0; b = b[n:] {
			e, err := decodeValue(base, b[:n])
			if err != nil {
				return v, err
			}
			add(e)
		}
	}
	texts := make([]string, len(v.Items))
	for i, e := range v.Items {
		texts[i] = e.Text
	}
	v.Text = strings.Join(texts, ", ")
	return v, nil
}

// utf16String decodes UTF-16LE, dropping trailing NULs; unpaired
// surrogates become U+FFFD.
func utf16String(b []byte) string {
	n := len(b) / 2
	for n > 0 && b[2*n-2] == 0 && b[2*n-1] == 0 {
		n--
	}
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		s := make([]byte, n)
		for i := range s {
			s[i] = b[2*i]
		}
		return string(s)
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ansiString decodes an 8-bit string, dropping trailing NULs. The code page
// is not recorded; bytes above 0x7f are read as Latin-1.
func ansiString(b []byte) string {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if utf8.Valid(b) {
		ascii := true
		for _, c := range b {
			if c >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			return string(b)
		}
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// guidString renders a little-endian GUID as Windows does: {lower-case}.
func guidString(b []byte) string {
	le := binary.LittleEndian
	return fmt.Sprintf("{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
		le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15])
}

// filetime converts 100 ns ticks since 1601-01-01 to a UTC time. Values past
// Go's range are clamped rather than wrapped.
func filetime(ticks uint64) time.Time {
	const epochDiff = 116444736000000000 // ticks from 1601 to 1970
	secs := int64(ticks/10000000) - epochDiff/10000000
	nsec := int64(ticks%10000000) * 100
	return time.Unix(secs, nsec).UTC()
}

// systemTime decodes a SYSTEMTIME (year, month, weekday, day, hour, minute,
// second, milliseconds, each 16 bits).
func systemTime(b []byte) (time.Time, string) {
	var f [8]int
	for i := range f {
		f[i] = int(binary.LittleEndian.Uint16(b[2*i:]))
	}
	t := time.Date(f[0], time.Month(f[1]), f[3], f[4], f[5], f[6], f[7]*1e6, time.UTC)
	return t, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", f[0], f[1], f[3], f[4], f[5], f[6], f[7])
}

// sidString renders a binary SID: revision, sub-authority count, 48-bit
// big-endian authority, little-endian 32-bit sub-authorities.
func sidString(b []byte) (string, error) {
	if len(b) < 8 || len(b) != 8+4*int(b[1]) {
		return "", fmt.Errorf("sid of %d bytes: %w", len(b), errValueSize)
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-")
	sb.WriteString(strconv.Itoa(int(b[0])))
	sb.WriteByte('-')
	if auth >= 1<<32 {
		fmt.Fprintf(&sb, "0x%012X", auth)
	} else {
		sb.WriteString(strconv.FormatUint(auth, 10))
	}
	for i := 0; i < int(b[1]); i++ {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String(), nil
}

package query

import (
	"errors"
	"fmt"
	"loghunt/monthname"
	"strings"
	"time"
)

// ptime is the state of one Strptime.
type ptime struct {
	s                          string
	i                          int
	year, month, day           int
	hour, min, sec, nsec       int
	pm, hasPM                  bool
	offset                     int // seconds east of UTC
	epoch                      int64
	hasEpoch                   bool
	weekdayUnused, yeardayUsed int
}

func (p *ptime) parse(format string) error {
	for f := 0; f < len(format); f++ {
		c := format[f]
		switch {
		case isSpaceByte(c):
			for p.i < len(p.s) && isSpaceByte(p.s[p.i]) {
				p.i++
			}
		case c != '%' || f+1 == len(format):
			if p.i >= len(p.s) || p.s[p.i] != c {
				return fmt.Errorf("strptime: %q does not match format %q", p.s, format)
			}
			p.i++
		default:
			f++
			width := 0
			if isDigitByte(format[f]) && f+1 < len(format) {
				width = int(format[f] - '0')
				f++
			}
			if format[f] == ':' && f+1 < len(format) {
				f++
			}
			if err := p.directive(format[f], width); err != nil {
				return err
			}
		}
	}
	return nil
}

// num reads 1 to max digits, with an optional sign when signed.
func (p *ptime) num(max int) (int, error) {
	start, n := p.i, 0
	for p.i < len(p.s) && p.i-start < max && isDigitByte(p.s[p.i]) {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i == start {
		return 0, fmt.Errorf("strptime: expected a number at %q", p.s[start:])
	}
	return n, nil
}

func (p *ptime) directive(c byte, width int) (err error) {
	switch c {
	case 'Y':
		p.year, err = p.num(4)
	case 'y':
		p.year, err = p.num(2)
		if p.year < 69 {
			p.year += 2000
		} else {
			p.year += 1900
		}
	case 'm':
		p.month, err = p.num(2)
	case 'd', 'e':
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
		}
		p.day, err = p.num(2)
	case 'j':
		p.yeardayUsed, err = p.num(3)
	case 'H', 'I':
		p.hour, err = p.num(2)
	case 'M':
		p.min, err = p.num(2)
	case 'S':
		p.sec, err = p.num(2)
	case 'N', 'f':
		return p.fraction()
	case 's':
		return p.unix()
	case 'p':
		return p.ampm()
	case 'b', 'h', 'B':
		return p.monthName()
	case 'a', 'A':
		p.letters()
	case 'u', 'w':
		p.weekdayUnused, err = p.num(1)
	case 'z':
		return p.zone()
	case 'Z':
		if name := p.letters(); name != "UTC" && name != "GMT" && name != "Z" {
			return fmt.Errorf("strptime: unknown zone %q (only UTC, GMT and offsets)", name)
		}
	case 'F':
		return p.parse("%Y-%m-%d")
	case 'T':
		return p.parse("%H:%M:%S")
	case 'D':
		return p.parse("%m/%d/%y")
	case 'R':
		return p.parse("%H:%M")
	case '%':
		return p.parse("%")
	default:
		return fmt.Errorf("strptime: unknown directive %%%c", c)
	}
	return err
}

func (p *ptime) letters() string {
	start := p.i
	for p.i < len(p.s) && isLetterByte(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *ptime) fraction() error {
	start := p.i
	n, err := p.num(9)
	if err != nil {
		return err
	}
	for d := p.i - start; d < 9; d++ {
		n *= 10
	}
	p.nsec = n
	return nil
}

func (p *ptime) unix() error {
	neg := p.i < len(p.s) && p.s[p.i] == '-'
	if neg {
		p.i++
	}
	start := p.i
	for p.i < len(p.s) && isDigitByte(p.s[p.i]) && p.i-start < 12 {
		p.epoch = p.epoch*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	if p.i == start {
		return errors.New("strptime: expected Unix seconds")
	}
	if neg {
		p.epoch = -p.epoch
	}
	p.hasEpoch = true
	return nil
}

func (p *ptime) ampm() error {
	switch strings.ToUpper(p.letters()) {
	case "AM":
		p.hasPM, p.pm = true, false
	case "PM":
		p.hasPM, p.pm = true, true
	default:
		return errors.New("strptime: expected AM or PM")
	}
	return nil
}

func (p *ptime) monthName() error {
	name := p.letters()
	m, n := monthname.At(name)
	if n != len(name) {
		return fmt.Errorf("strptime: unknown month %q", name)
	}
	p.month = m
	return nil
}

// zone reads Z, +hh, +hhmm or +hh:mm.
func (p *ptime) zone() error {
	if p.i < len(p.s) && (p.s[p.i] == 'Z' || p.s[p.i] == 'z') {
		p.i++
		return nil
	}
	if p.i >= len(p.s) || p.s[p.i] != '+' && p.s[p.i] != '-' {
		return errors.New("strptime: expected a zone offset such as +0100")
	}
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	h, err := p.num(2)
	if err != nil {
		return err
	}
	if p.i < len(p.s) && p.s[p.i] == ':' {
		p.i++
	}
	m := 0
	if p.i < len(p.s) && isDigitByte(p.s[p.i]) {
		if m, err = p.num(2); err != nil {
			return err
		}
	}
	p.offset = sign * (h*3600 + m*60)
	return nil
}

// time assembles the parsed parts, rejecting impossible dates.
func (p *ptime) time() (time.Time, error) {
	if p.hasEpoch {
		return time.Unix(p.epoch, int64(p.nsec)).UTC(), nil
	}
	h := p.hour
	if p.hasPM {
		if h < 1 || h > 12 {
			return time.Time{}, fmt.Errorf("strptime: hour %d with AM/PM", h)
		}
		h %= 12
		if p.pm {
			h += 12
		}
	}
	t := time.Date(p.year, time.Month(p.month), p.day, h, p.min, p.sec, p.nsec, time.UTC)
	if p.yeardayUsed > 0 {
		t = t.AddDate(0, 0, p.yeardayUsed-t.YearDay())
	} else if t.Month() != time.Month(p.month) || t.Day() != p.day || h > 23 || p.min > 59 || p.sec > 60 {
		return time.Time{}, errors.New("strptime: date or time out of range")
	}
	return t.Add(-time.Duration(p.offset) * time.Second), nil
}

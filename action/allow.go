package action

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// An AllowList names what no action may touch: addresses and networks,
// users, hosts, or any entity field's value. It is checked against the
// alert's entity before every action of every kind (log, webhook and
// exec), when it is planned and again when it is due: an alert on an
// allowed entity is still stored, but nothing is done about it, and each
// action is recorded as skipped with the entry that matched. Undos are
// never stopped by it.
//
// Entries (in a file, `allow: [...]`, or a rule's `allow:`):
//
//	10.0.0.0/8, 2001:db8::/32   a network: any entity value that is an address in it
//	192.0.2.7                   one address
//	user:backup                 the value of an entity field user, username, src_user, dst_user, target_user or account
//	host:bastion                the value of an entity field host, hostname, src_host, dst_host or computer (case-insensitive)
//	FIELD=VALUE                 the value of that entity field exactly
type AllowList struct {
	nets   []netip.Prefix
	users  map[string]bool
	hosts  map[string]bool
	fields map[string]map[string]bool
}

// Fields that user: and host: entries look at.
var (
	userFields = []string{"user", "username", "src_user", "dst_user", "target_user", "account"}
	hostFields = []string{"host", "hostname", "src_host", "dst_host", "computer"}
)

// ParseAllow builds an allow-list from entries; an error names the bad
// entry (and where, prefixed by the caller).
func ParseAllow(entries []string) (*AllowList, error) {
	l := &AllowList{}
	for _, e := range entries {
		if err := l.add(e); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *AllowList) add(e string) error {
	raw := e
	e = strings.TrimSpace(e)
	switch {
	case e == "":
		return fmt.Errorf("allow-list entry %q is empty", raw)
	case strings.HasPrefix(e, "user:"):
		u := strings.TrimSpace(e[len("user:"):])
		if u == "" {
			return fmt.Errorf("allow-list entry %q names no user", raw)
		}
		if l.users == nil {
			l.users = map[string]bool{}
		}
		l.users[u] = true
	case strings.HasPrefix(e, "host:"):
		h := strings.ToLower(strings.TrimSpace(e[len("host:"):]))
		if h == "" {
			return fmt.Errorf("allow-list entry %q names no host", raw)
		}
		if l.hosts == nil {
			l.hosts = map[string]bool{}
		}
		l.hosts[h] = true
	case strings.Contains(e, "="):
		f, v, _ := strings.Cut(e, "=")
		f, v = strings.TrimSpace(f), strings.TrimSpace(v)
		if f == "" || v == "" {
			return fmt.Errorf("allow-list entry %q: want FIELD=VALUE", raw)
		}
		if l.fields == nil {
			l.fields = map[string]map[string]bool{}
		}
		if l.fields[f] == nil {
			l.fields[f] = map[string]bool{}
		}
		l.fields[f][v] = true
	default:
		var p netip.Prefix
		var err error
		if strings.Contains(e, "/") {
			p, err = netip.ParsePrefix(e)
			if err == nil && p != p.Masked() {
				return fmt.Errorf("allow-list entry %q has host bits set (did you mean %s?)", raw, p.Masked())
			}
		} else {
			var a netip.Addr
			a, err = netip.ParseAddr(e)
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if err != nil {
			return fmt.Errorf("allow-list entry %q is not an address, a network (CIDR), user:NAME, host:NAME or FIELD=VALUE", raw)
		}
		l.nets = append(l.nets, p)
	}
	return nil
}

// LoadAllow reads an allow-list file: YAML with one key, allow, a list of
// entries. Errors name the file and line.
func LoadAllow(path string) (*AllowList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return &AllowList{}, nil
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return &AllowList{}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with the key allow (allow: [10.0.0.0/8, user:backup])", path, root.Line)
	}
	l := &AllowList{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "allow" {
			return nil, fmt.Errorf("%s:%d: unknown key %q (the file has one key, allow)", path, k.Line, k.Value)
		}
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s:%d: allow: want a list of entries", path, v.Line)
		}
		for _, n := range v.Content {
			if n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s:%d: allow: an entry must be a string", path, n.Line)
			}
			if err := l.add(n.Value); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, n.Line, err)
			}
		}
	}
	return l, nil
}

// Match says whether the entity is allowed, and by which entry; a nil
// list allows nothing.
func (l *AllowList) Match(entity map[string]string) (bool, string) {
	if l == nil {
		return false, ""
	}
	names := make([]string, 0, len(entity))
	for f := range entity {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		v := entity[f]
		if set := l.fields[f]; set[v] {
			return true, fmt.Sprintf("%s=%s is on the allow-list", f, v)
		}
		if l.users[v] && contains(userFields, f) {
			return true, fmt.Sprintf("%s %s matches user:%s", f, v, v)
		}
		if l.hosts[strings.ToLower(v)] && contains(hostFields, f) {
			return true, fmt.Sprintf("%s %s matches host:%s", f, v, strings.ToLower(v))
		}
		if len(l.nets) > 0 {
			if a, err := netip.ParseAddr(v); err == nil {
				a = a.Unmap()
				for _, p := range l.nets {
					if p.Contains(a) {
						return true, fmt.Sprintf("%s %s is in %s", f, v, p)
					}
				}
			}
		}
	}
	return false, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

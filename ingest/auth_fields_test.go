package ingest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// authEvent parses one syslog line and returns its fields as text.
func authEvent(t testing.TB, p Parser, line string) map[string]string {
	ev := store.Event{Raw: line}
	if _, err := p.Parse(line, &ev); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	out := map[string]string{}
	for _, f := range ev.Fields {
		if _, dup := out[f.Name]; dup {
			t.Fatalf("%q: field %s twice", line, f.Name)
		}
		out[f.Name] = f.Value.String()
	}
	return out
}

func TestAuthFields(t *testing.T) {
	p, err := syslogFormat{}.NewParser(nil, Options{Loc: time.UTC, Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	h := "Mar  6 08:00:01 bastion "
	tests := []struct {
		line string
		want string // name=value pairs, every field of authFields
	}{
		{"sshd[1]: Failed password for root from 203.0.113.5 port 52311 ssh2",
			"action=failure auth_method=password user=root src_ip=203.0.113.5 src_port=52311"},
		{"sshd[1]: Failed password for invalid user admin from 203.0.113.5 port 52312 ssh2",
			"action=failure auth_method=password invalid_user=true user=admin src_ip=203.0.113.5 src_port=52312"},
		{"sshd[1]: Failed keyboard-interactive/pam for invalid user x y from 2001:db8::1 port 22 ssh2",
			"action=failure auth_method=keyboard-interactive invalid_user=true user=x y src_ip=2001:db8::1 src_port=22"},
		{"sshd[1]: Failed none for invalid user test from 1.2.3.4 port 5 ssh2 [preauth]",
			"action=failure auth_method=none invalid_user=true user=test src_ip=1.2.3.4 src_port=5"},
		{"sshd[1]: Accepted publickey for ubuntu from 10.0.0.7 port 2 ssh2: RSA SHA256:KlNkPGZrTiz",
			"action=success auth_method=publickey user=ubuntu src_ip=10.0.0.7 src_port=2 key_type=RSA key_fingerprint=SHA256:KlNkPGZrTiz"},
		{"sshd[1]: Accepted password for alice from 10.0.0.7 port 52313 ssh2",
			"action=success auth_method=password user=alice src_ip=10.0.0.7 src_port=52313"},
		{"sshd[1]: message repeated 2 times: [ Failed password for root from 1.2.3.4 port 3 ssh2]",
			"repeated=2 action=failure auth_method=password user=root src_ip=1.2.3.4 src_port=3"},
		{"sshd[1]: Invalid user admin from 187.12.249.74", "action=invalid_user user=admin invalid_user=true src_ip=187.12.249.74"},
		{"sshd[1]: Invalid user oracle from 1.2.3.4 port 4444", "action=invalid_user user=oracle invalid_user=true src_ip=1.2.3.4 src_port=4444"},
		{"sshd[1]: input_userauth_request: invalid user admin [preauth]", "user=admin invalid_user=true"},
		{"sshd[1]: Received disconnect from 187.12.249.74: 11: Bye Bye [preauth]", "action=disconnect src_ip=187.12.249.74"},
		{"sshd[1]: Received disconnect from 1.2.3.4 port 5:11: disconnected by user", "action=disconnect src_ip=1.2.3.4 src_port=5"},
		{"sshd[1]: error: Received disconnect from 1.2.3.4: 3: No more user authentication methods available. [preauth]", "action=disconnect src_ip=1.2.3.4"},
		{"sshd[1]: Disconnected from user bob 10.0.0.9 port 22", "action=disconnect user=bob src_ip=10.0.0.9 src_port=22"},
		{"sshd[1]: Disconnected from invalid user x 1.2.3.4 port 22 [preauth]", "action=disconnect invalid_user=true user=x src_ip=1.2.3.4 src_port=22"},
		{"sshd[1]: Connection closed by authenticating user root 1.2.3.4 port 9 [preauth]", "action=disconnect user=root src_ip=1.2.3.4 src_port=9"},
		{"sshd[1]: Connection closed by 122.225.103.87 [preauth]", "action=disconnect src_ip=122.225.103.87"},
		{"sshd[1]: Connection reset by 1.2.3.4 port 7 [preauth]", "action=disconnect src_ip=1.2.3.4 src_port=7"},
		{"sshd[1]: Connection from 1.2.3.4 port 5 on 10.0.0.1 port 22", "action=connect src_ip=1.2.3.4 src_port=5 dest_ip=10.0.0.1 dest_port=22"},
		{"sshd[1]: Did not receive identification string from 187.12.249.74", "action=no_identification src_ip=187.12.249.74"},
		{"sshd[1]: reverse mapping checking getaddrinfo for 118.11.26.218.internet.sx.cn [218.26.11.118] failed - POSSIBLE BREAK-IN ATTEMPT!",
			"action=break_in_attempt src_host=118.11.26.218.internet.sx.cn src_ip=218.26.11.118"},
		{"sshd[1]: Address 1.2.3.4 maps to h.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
			"action=break_in_attempt src_ip=1.2.3.4 src_host=h.example"},
		{"sshd[1]: Disconnecting: Too many authentication failures for root [preauth]", "action=too_many_failures user=root"},
		{"sshd[1]: error: maximum authentication attempts exceeded for invalid user a from 1.2.3.4 port 6 ssh2 [preauth]",
			"action=too_many_failures invalid_user=true user=a src_ip=1.2.3.4 src_port=6"},
		{"sshd[1]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root",
			"action=more_failures failures=2 tty=ssh rhost=1.2.3.4 src_ip=1.2.3.4 user=root"},
		{"sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root",
			"pam_module=unix pam_service=sshd pam_type=auth action=failure tty=ssh rhost=1.2.3.4 src_ip=1.2.3.4 user=root"},
		{"sshd[1]: pam_unix(sshd:auth): check pass; user unknown", "pam_module=unix pam_service=sshd pam_type=auth"},
		{"sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=211.214.161.141.example",
			"pam_module=unix pam_service=sshd action=failure tty=NODEVssh rhost=211.214.161.141.example"},
		{"su(pam_unix)[1]: session opened for user news by (uid=0)", "pam_module=unix pam_service=su action=session_open user=news"},
		{"CRON[2]: pam_unix(cron:session): session opened for user root by (uid=0)",
			"pam_module=unix pam_service=cron pam_type=session action=session_open user=root"},
		{"sudo: pam_unix(sudo:session): session opened for user root(uid=0) by ubuntu(uid=1000)",
			"pam_module=unix pam_service=sudo pam_type=session action=session_open user=root src_user=ubuntu"},
		{"CRON[2]: pam_unix(cron:session): session closed for user root", "pam_module=unix pam_service=cron pam_type=session action=session_close user=root"},
		{"su[3]: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 ruser=alice rhost=  user=root",
			"pam_module=unix pam_service=su pam_type=auth action=failure tty=pts/0 ruser=alice user=root"},
		{"chpasswd[4]: pam_unix(chpasswd:chauthtok): password changed for bob",
			"pam_module=unix pam_service=chpasswd pam_type=chauthtok action=password_change user=bob"},
		{"sudo:   ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; USER=root ; COMMAND=/bin/sh -c echo a ; echo b",
			"tty=pts/0 pwd=/home/ubuntu run_as=root command=/bin/sh -c echo a ; echo b action=sudo_command user=ubuntu"},
		{"sudo:     root : TTY=unknown ; PWD=/ ; USER=nssal ; COMMAND=/usr/bin/gconftool-2 --get /x",
			"tty=unknown pwd=/ run_as=nssal command=/usr/bin/gconftool-2 --get /x action=sudo_command user=root"},
		{"sudo[9]: mallory : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
			"tty=pts/1 pwd=/tmp run_as=root command=/bin/bash action=sudo_failure user=mallory"},
		{"sudo[9]: mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash",
			"tty=pts/1 pwd=/tmp run_as=root command=/bin/bash action=sudo_denied user=mallory"},
		{"su[5]: Successful su for root by ubuntu", "action=success user=root src_user=ubuntu"},
		{"su[5]: FAILED su for root by mallory", "action=failure user=root src_user=mallory"},
		{"su[5]: (to root) ubuntu on pts/0", "action=success user=root src_user=ubuntu tty=pts/0"},
		{"su[5]: FAILED SU (to root) mallory on pts/3", "action=failure user=root src_user=mallory tty=pts/3"},
		{"su[5]: + pts/0 ubuntu:root", "action=success user=root src_user=ubuntu tty=pts/0"},
		{"login[6]: FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure", "action=failure user=root tty=tty1"},
		{"login[6]: ROOT LOGIN  on '/dev/tty1'", "action=success user=root tty=tty1"},
		{"login[6]: LOGIN ON tty2 BY alice", "action=success user=alice tty=tty2"},
		{"useradd[7]: new user: name=elastic_user_3, UID=1003, GID=1003, home=/home/elastic_user_3, shell=/bin/bash",
			"action=user_add user=elastic_user_3"},
		{"userdel[7]: delete user 'backdoor'", "action=user_delete user=backdoor"},
		{"groupadd[7]: new group: name=ops, GID=1004", "action=group_add group=ops"},
		// Not auth lines, or not a shape known: no fields.
		{"sshd[1]: Server listening on 0.0.0.0 port 22.", ""},
		{"sshd[1]: fatal: Read from socket failed: Connection reset by peer [preauth]", ""},
		{"sshd[1]: Connection closed by UNKNOWN [preauth]", "action=disconnect"},
		{"kernel: Failed password for root from 1.2.3.4 port 2 ssh2", ""},
		{"sudo: unable to resolve host bastion", ""},
	}
	base := map[string]bool{"host": true, "app": true, "pid": true, "message": true}
	for _, tc := range tests {
		got := authEvent(t, p, h+tc.line)
		want := map[string]string{}
		// Values may hold blanks: a pair runs to the next "name=".
		re := regexp.MustCompile(`(\w+)=(.*?)(?: (?:\w+)=|$)`)
		for s := tc.want; s != ""; {
			m := re.FindStringSubmatchIndex(s)
			if m == nil {
				break
			}
			want[s[m[2]:m[3]]] = s[m[4]:m[5]]
			next := m[5]
			s = strings.TrimPrefix(s[next:], " ")
		}
		for k := range got {
			if base[k] {
				delete(got, k)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s\n got %v\nwant %v", tc.line, got, want)
		}
	}
}

// authOracle is an independent count of one kind of auth line: a regular
// expression over the raw lines, the events it must match (by their
// fields) and, per match, the fields its groups must equal.
type authOracle struct {
	name   string
	re     *regexp.Regexp
	match  func(f map[string]string) bool
	groups []string // field names of the groups ("" skips a group)
}

var authOracles = []authOracle{
	{"failed password", regexp.MustCompile(`sshd\[\d+\]: (?:message repeated \d+ times: \[ )?Failed password for (invalid user )?(.*) from (\S+) port (\d+) ssh2`),
		func(f map[string]string) bool { return f["action"] == "failure" && f["auth_method"] == "password" },
		[]string{"", "user", "src_ip", "src_port"}},
	{"failed password, invalid user", regexp.MustCompile(`sshd\[\d+\]: (?:message repeated \d+ times: \[ )?Failed password for invalid user `),
		func(f map[string]string) bool {
			return f["action"] == "failure" && f["auth_method"] == "password" && f["invalid_user"] == "true"
		}, nil},
	{"failed, any method", regexp.MustCompile(`sshd\[\d+\]: (?:message repeated \d+ times: \[ )?Failed (\S+?)(?:/\S+)? for `),
		func(f map[string]string) bool { return f["action"] == "failure" && f["auth_method"] != "" },
		[]string{"auth_method"}},
	{"accepted", regexp.MustCompile(`sshd\[\d+\]: Accepted (\S+) for (.*) from (\S+) port (\d+) ssh2`),
		func(f map[string]string) bool { return f["action"] == "success" && f["auth_method"] != "" },
		[]string{"auth_method", "user", "src_ip", "src_port"}},
	{"invalid user", regexp.MustCompile(`sshd\[\d+\]: Invalid user (.*) from ([0-9a-f.:]+)`),
		func(f map[string]string) bool { return f["action"] == "invalid_user" },
		[]string{"user", "src_ip"}},
	{"pam authentication failure", regexp.MustCompile(`(?:pam_unix\([^)]*\)|\(pam_unix\)\[\d+\]): authentication failure;.* rhost=(\S*)`),
		func(f map[string]string) bool { return f["action"] == "failure" && f["pam_module"] == "unix" },
		[]string{"rhost"}},
	{"session opened", regexp.MustCompile(`: session opened for user ([^ (]+)`),
		func(f map[string]string) bool { return f["action"] == "session_open" }, []string{"user"}},
	{"session closed", regexp.MustCompile(`: session closed for user ([^ (]+)`),
		func(f map[string]string) bool { return f["action"] == "session_close" }, []string{"user"}},
	{"break-in", regexp.MustCompile(`sshd\[\d+\]: .*POSSIBLE BREAK-IN ATTEMPT!$`),
		func(f map[string]string) bool { return f["action"] == "break_in_attempt" && f["src_ip"] != "" }, nil},
	{"no identification", regexp.MustCompile(`sshd\[\d+\]: Did not receive identification string from (\S+)`),
		func(f map[string]string) bool { return f["action"] == "no_identification" }, []string{"src_ip"}},
	{"disconnect", regexp.MustCompile(`sshd\[\d+\]: (?:error: )?(?:Received disconnect from|Disconnected from|Connection closed by|Connection reset by) `),
		func(f map[string]string) bool { return f["action"] == "disconnect" }, nil},
	{"sudo command", regexp.MustCompile(`sudo(?:\[\d+\])?: +(\S+) : TTY=(\S+) ; PWD=(\S+) ; USER=(\S+) ; COMMAND=(.*)$`),
		func(f map[string]string) bool { return f["action"] == "sudo_command" },
		[]string{"user", "tty", "pwd", "run_as", "command"}},
}

// TestAuthFieldsOracle: on the real auth logs, every kind of line that a
// regular expression counts has as many events with its action, and each
// match's fields equal the expression's groups.
func TestAuthFieldsOracle(t *testing.T) {
	dir := needDatasets(t, ".")
	for _, file := range []string{"authlog/secrepo_auth.log", "loghub/OpenSSH_2k.log", "loghub/Linux_2k.log",
		"authlog/dfrws2009_auth.log", "authlog/elastic_suspicious_login_auth.log", "authlog/hofstede_auth.log.gz"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if testing.Short() && strings.HasPrefix(file, "authlog/hofstede") {
				t.Skip("187k lines: not with -short")
			}
			lines := readDatasetLines(t, filepath.Join(dir, file), 1<<30)
			p, err := syslogFormat{}.NewParser(lines[:200], Options{Loc: time.UTC, Year: 2025})
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]int, len(authOracles))
			events := make([]int, len(authOracles))
			actions := map[string]int{}
			for _, l := range lines {
				if strings.TrimSpace(l) == "" {
					continue
				}
				f := authEvent(t, p, l)
				actions[f["action"]]++
				for i, o := range authOracles {
					if o.match(f) {
						events[i]++
					}
					m := o.re.FindStringSubmatch(l)
					if m == nil {
						continue
					}
					counts[i]++
					for g, name := range o.groups {
						want := m[g+1]
						if name == "rhost" && want == "" {
							continue
						}
						if name != "" && f[name] != want {
							t.Errorf("%s: %s = %q, the line says %q: %s", o.name, name, f[name], want, l)
						}
					}
				}
			}
			var summary []string
			for i, o := range authOracles {
				if counts[i] != events[i] {
					t.Errorf("%s: %d lines, %d events", o.name, counts[i], events[i])
				}
				if counts[i] > 0 {
					summary = append(summary, fmt.Sprintf("%s %d", o.name, counts[i]))
				}
			}
			var acts []string
			for a, n := range actions {
				acts = append(acts, fmt.Sprintf("%s=%d", a, n))
			}
			sort.Strings(acts)
			t.Logf("%d lines; oracle: %s; actions: %s", len(lines), strings.Join(summary, ", "), strings.Join(acts, " "))
		})
	}
}

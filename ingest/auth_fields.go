package ingest

import (
	"net/netip"
	"strings"

	"loghunt/store"
)

// Fields of authentication lines (auth.log, secure), so that hunts need
// no rex: the syslog parser calls authFields with each line's app and
// message. Close to Splunk's linux_secure extractions. Every field is
// left out when the line does not say it.
//
//	action        what happened (the values below)
//	user          the account: logged in to, tried, or whose session it is;
//	              for sudo the user who ran the command
//	src_ip        the client address; src_port its port
//	src_host      the name the client's address resolves to (break-in lines)
//	auth_method   password, publickey, keyboard-interactive, hostbased,
//	              gssapi-with-mic, none (sshd's word, without "/pam")
//	invalid_user  true when sshd says the user does not exist
//	key_type, key_fingerprint   of an accepted public key
//	repeated      N of rsyslog's "message repeated N times: [ ... ]"
//	failures      N of PAM's "N more authentication failures"
//	dest_ip, dest_port          the server side of sshd's "Connection from"
//	pam_module, pam_service, pam_type   pam_unix(sshd:auth): unix, sshd, auth
//	ruser, rhost, tty            PAM's remote user, remote host and tty
//	src_user      who opened a session or ran su ("by alice")
//	run_as, command, pwd, tty    sudo's USER=, COMMAND=, PWD= and TTY=
//
// action is one of:
//
//	failure            sshd "Failed password|publickey|... for", PAM
//	                   "authentication failure", su "FAILED su", login
//	                   "FAILED LOGIN" (a failed ssh password logs two
//	                   failures: sshd's, with auth_method, and PAM's, with
//	                   pam_module; count one of them)
//	success            sshd "Accepted ... for", su "Successful su" and
//	                   "(to root) alice on pts/0", login "ROOT LOGIN",
//	                   "LOGIN ON tty1 BY"
//	invalid_user       sshd "Invalid user U from"
//	disconnect         sshd "Received disconnect", "Disconnected from",
//	                   "Connection closed by", "Connection reset by"
//	connect            sshd "Connection from IP port P on IP port P"
//	no_identification  sshd "Did not receive identification string"
//	break_in_attempt   sshd "POSSIBLE BREAK-IN ATTEMPT" (reverse DNS mismatch)
//	too_many_failures  sshd "Too many authentication failures",
//	                   "maximum authentication attempts exceeded"
//	more_failures      PAM "N more authentication failures"
//	session_open, session_close   PAM "session opened|closed for user U"
//	sudo_command       sudo "U : TTY=... ; PWD=... ; USER=... ; COMMAND=..."
//	sudo_failure       sudo "U : N incorrect password attempts ; ..."
//	sudo_denied        sudo "U : user NOT in sudoers ; ..." and
//	                   "command not allowed"
//	password_change    PAM "password changed for U"
//	user_add, user_delete, group_add   useradd, userdel, groupadd
func authFields(app, msg string, ev *store.Event) {
	if strings.HasPrefix(msg, "pam_") {
		pamFields(msg, ev)
		return
	}
	switch app {
	case "sshd":
		sshdFields(msg, ev)
	case "sudo":
		sudoFields(msg, ev)
	case "su":
		suFields(msg, ev)
	case "login":
		loginFields(msg, ev)
	case "useradd", "userdel", "groupadd":
		accountFields(app, msg, ev)
	default:
		// Red Hat's old "sshd(pam_unix)[1]: authentication failure; ...".
		if svc, mod, ok := strings.Cut(app, "(pam_"); ok && strings.HasSuffix(mod, ")") {
			addStr(ev, "pam_module", mod[:len(mod)-1])
			addStr(ev, "pam_service", svc)
			pamMessage(msg, ev)
		}
	}
}

func addStr(ev *store.Event, name, v string) {
	if v != "" {
		addField(ev, name, store.Str(v))
	}
}

// sshdFields reads sshd's messages.
func sshdFields(msg string, ev *store.Event) {
	m := strings.TrimSuffix(strings.TrimRight(msg, " "), " [preauth]")
	m = strings.TrimPrefix(m, "error: ")
	switch {
	case strings.HasPrefix(m, "Failed "):
		sshdAuth("failure", m[len("Failed "):], ev)
	case strings.HasPrefix(m, "Accepted "):
		sshdAuth("success", m[len("Accepted "):], ev)
	case strings.HasPrefix(m, "Invalid user "):
		// "Invalid user U from IP[ port P]"
		rest := m[len("Invalid user "):]
		i := strings.LastIndex(rest, " from ")
		if i < 0 {
			return
		}
		addStr(ev, "action", "invalid_user")
		addStr(ev, "user", rest[:i])
		addField(ev, "invalid_user", store.Bool(true))
		addrPort(rest[i+len(" from "):], ev)
	case strings.HasPrefix(m, "input_userauth_request: invalid user "):
		// Logged with each "Invalid user" line: the user, no action.
		addStr(ev, "user", strings.TrimSpace(m[len("input_userauth_request: invalid user "):]))
		addField(ev, "invalid_user", store.Bool(true))
	case strings.HasPrefix(m, "Received disconnect from "):
		// "Received disconnect from IP[ port P]: N: reason" (also ":N:")
		addStr(ev, "action", "disconnect")
		addrPort(m[len("Received disconnect from "):], ev)
	case strings.HasPrefix(m, "Disconnected from "):
		addStr(ev, "action", "disconnect")
		userAddr(m[len("Disconnected from "):], ev)
	case strings.HasPrefix(m, "Connection closed by "):
		addStr(ev, "action", "disconnect")
		userAddr(m[len("Connection closed by "):], ev)
	case strings.HasPrefix(m, "Connection reset by "):
		addStr(ev, "action", "disconnect")
		userAddr(m[len("Connection reset by "):], ev)
	case strings.HasPrefix(m, "Connection from "):
		// "Connection from IP port P on IP port P"
		rest := m[len("Connection from "):]
		src, dst, ok := strings.Cut(rest, " on ")
		if !ok {
			return
		}
		addStr(ev, "action", "connect")
		addrPort(src, ev)
		if ip, port, ok := splitAddrPort(dst); ok {
			addStr(ev, "dest_ip", ip)
			if port != "" {
				addField(ev, "dest_port", typedValue(port))
			}
		}
	case strings.HasPrefix(m, "Did not receive identification string from "):
		addStr(ev, "action", "no_identification")
		addrPort(m[len("Did not receive identification string from "):], ev)
	case strings.HasSuffix(m, "POSSIBLE BREAK-IN ATTEMPT!"):
		breakIn(m, ev)
	case strings.HasPrefix(m, "Disconnecting: Too many authentication failures"):
		addStr(ev, "action", "too_many_failures")
		if u, ok := strings.CutPrefix(m, "Disconnecting: Too many authentication failures for "); ok {
			userOnly(u, ev)
		}
	case strings.HasPrefix(m, "Disconnecting ") && strings.HasSuffix(m, ": Too many authentication failures"):
		// OpenSSH 8: "Disconnecting [invalid|authenticating] user U IP port P: Too many ..."
		addStr(ev, "action", "too_many_failures")
		userAddr(strings.TrimSuffix(m[len("Disconnecting "):], ": Too many authentication failures"), ev)
	case strings.HasPrefix(m, "maximum authentication attempts exceeded for "):
		addStr(ev, "action", "too_many_failures")
		userFrom(m[len("maximum authentication attempts exceeded for "):], ev)
	case strings.HasPrefix(m, "message repeated "):
		// rsyslog: "message repeated N times: [ Failed password for ...]"
		rest := m[len("message repeated "):]
		n, inner, ok := strings.Cut(rest, " times: [ ")
		if !ok || !strings.HasSuffix(inner, "]") {
			return
		}
		addField(ev, "repeated", typedValue(n))
		sshdFields(inner[:len(inner)-1], ev)
	case strings.HasPrefix(m, "PAM ") && strings.Contains(m, " more authentication failure"):
		// "PAM 2 more authentication failures; logname= uid=0 ... rhost=IP  user=root"
		n, rest, _ := strings.Cut(m[len("PAM "):], " ")
		addStr(ev, "action", "more_failures")
		addField(ev, "failures", typedValue(n))
		if _, kv, ok := strings.Cut(rest, "; "); ok {
			pamKV(kv, ev)
		}
	}
}

// sshdAuth reads "METHOD for [invalid user ]U from IP port P ssh2[: KEY FP]".
func sshdAuth(action, m string, ev *store.Event) {
	method, rest, ok := strings.Cut(m, " for ")
	if !ok || method == "" || strings.Contains(method, " ") {
		return
	}
	addStr(ev, "action", action)
	method, _, _ = strings.Cut(method, "/") // keyboard-interactive/pam
	addStr(ev, "auth_method", method)
	key := ""
	if i := strings.LastIndex(rest, " port "); i >= 0 {
		if j := strings.Index(rest[i:], ": "); j >= 0 {
			rest, key = rest[:i+j], rest[i+j+2:]
		}
	}
	userFrom(rest, ev)
	if key != "" {
		kt, fp, _ := strings.Cut(key, " ")
		addStr(ev, "key_type", kt)
		addStr(ev, "key_fingerprint", fp)
	}
}

// userFrom reads "[invalid user ]U from IP[ port P][ ssh2]".
func userFrom(s string, ev *store.Event) {
	if u, ok := strings.CutPrefix(s, "invalid user "); ok {
		s = u
		addField(ev, "invalid_user", store.Bool(true))
	}
	i := strings.LastIndex(s, " from ")
	if i < 0 {
		addStr(ev, "user", s)
		return
	}
	addStr(ev, "user", s[:i])
	addrPort(s[i+len(" from "):], ev)
}

// userOnly reads "[invalid user ]U".
func userOnly(s string, ev *store.Event) {
	if u, ok := strings.CutPrefix(s, "invalid user "); ok {
		s = u
		addField(ev, "invalid_user", store.Bool(true))
	}
	addStr(ev, "user", s)
}

// userAddr reads "[user U |invalid user U |authenticating user U ]IP[ port P]".
func userAddr(s string, ev *store.Event) {
	for _, p := range [...]string{"authenticating user ", "invalid user ", "user "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			// The user is all but the last one or three tokens.
			end := len(rest)
			if i := strings.LastIndex(rest, " port "); i >= 0 {
				end = i
			}
			j := strings.LastIndexByte(rest[:end], ' ')
			if j < 0 {
				return
			}
			if p == "invalid user " {
				addField(ev, "invalid_user", store.Bool(true))
			}
			addStr(ev, "user", rest[:j])
			s = rest[j+1:]
			break
		}
	}
	addrPort(s, ev)
}

// addrPort reads "IP[ port P]" and what may follow (": reason", " ssh2"),
// adding src_ip and src_port when the address is one.
func addrPort(s string, ev *store.Event) {
	if ip, port, ok := splitAddrPort(s); ok {
		addStr(ev, "src_ip", ip)
		if port != "" {
			addField(ev, "src_port", typedValue(port))
		}
	}
}

// splitAddrPort splits "IP[ port P]..." and reports whether IP is an
// address.
func splitAddrPort(s string) (ip, port string, ok bool) {
	end := strings.IndexAny(s, " ,")
	if end < 0 {
		end = len(s)
	}
	ip = strings.TrimSuffix(s[:end], ":") // "from IP: 11: Bye Bye"
	if _, err := netip.ParseAddr(ip); err != nil {
		return "", "", false
	}
	rest := s[end:]
	if p, ok := strings.CutPrefix(rest, " port "); ok {
		j := 0
		for j < len(p) && isDigit(p[j]) {
			j++
		}
		port = p[:j]
	}
	return ip, port, true
}

// breakIn reads sshd's two reverse DNS warnings.
func breakIn(m string, ev *store.Event) {
	addStr(ev, "action", "break_in_attempt")
	if rest, ok := strings.CutPrefix(m, "reverse mapping checking getaddrinfo for "); ok {
		// "H [IP] failed - POSSIBLE BREAK-IN ATTEMPT!"
		host, rest, _ := strings.Cut(rest, " [")
		ip, _, _ := strings.Cut(rest, "]")
		addStr(ev, "src_host", host)
		addrPort(ip, ev)
		return
	}
	if rest, ok := strings.CutPrefix(m, "Address "); ok {
		// "IP maps to H, but this does not map back to the address - ..."
		ip, rest, _ := strings.Cut(rest, " maps to ")
		host, _, _ := strings.Cut(rest, ",")
		addrPort(ip, ev)
		addStr(ev, "src_host", host)
	}
}

// pamFields reads "pam_MODULE(SERVICE:TYPE): message".
func pamFields(msg string, ev *store.Event) {
	head, rest, ok := strings.Cut(msg, "): ")
	if !ok {
		return
	}
	mod, svcType, ok := strings.Cut(head, "(")
	if !ok {
		return
	}
	svc, typ, _ := strings.Cut(svcType, ":")
	addStr(ev, "pam_module", strings.TrimPrefix(mod, "pam_"))
	addStr(ev, "pam_service", svc)
	addStr(ev, "pam_type", typ)
	pamMessage(rest, ev)
}

// pamMessage reads the message of a PAM module.
func pamMessage(m string, ev *store.Event) {
	switch {
	case strings.HasPrefix(m, "authentication failure; "):
		addStr(ev, "action", "failure")
		pamKV(m[len("authentication failure; "):], ev)
	case strings.HasPrefix(m, "session opened for user "):
		// "session opened for user U[(uid=N)] by V(uid=N)" or "by (uid=0)"
		addStr(ev, "action", "session_open")
		u, by, _ := strings.Cut(m[len("session opened for user "):], " by ")
		addStr(ev, "user", withoutUID(u))
		addStr(ev, "src_user", withoutUID(by))
	case strings.HasPrefix(m, "session closed for user "):
		addStr(ev, "action", "session_close")
		addStr(ev, "user", withoutUID(strings.TrimSpace(m[len("session closed for user "):])))
	case strings.HasPrefix(m, "password changed for "):
		addStr(ev, "action", "password_change")
		addStr(ev, "user", strings.TrimSpace(m[len("password changed for "):]))
	}
}

// withoutUID drops a trailing "(uid=N)" (and what is only that).
func withoutUID(s string) string {
	if i := strings.Index(s, "(uid="); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// pamKV reads "logname= uid=0 euid=0 tty=ssh ruser= rhost=IP  user=root":
// ruser, rhost (also src_ip when it is an address), tty and user, when
// not empty.
func pamKV(s string, ev *store.Event) {
	for s != "" {
		s = strings.TrimLeft(s, " ")
		var kv string
		kv, s, _ = strings.Cut(s, " ")
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			continue
		}
		switch k {
		case "ruser", "tty", "user":
			addStr(ev, k, v)
		case "rhost":
			addStr(ev, "rhost", v)
			if _, err := netip.ParseAddr(v); err == nil {
				addStr(ev, "src_ip", v)
			}
		}
	}
}

// sudoFields reads "U : [problem ; ]TTY=T ; PWD=D ; USER=R ; COMMAND=C".
func sudoFields(msg string, ev *store.Event) {
	u, rest, ok := strings.Cut(strings.TrimLeft(msg, " "), " : ")
	if !ok || u == "" || strings.Contains(u, " ") {
		return
	}
	action := ""
	for rest != "" {
		var seg string
		if strings.HasPrefix(rest, "COMMAND=") {
			seg, rest = rest, "" // the command may hold " ; "
		} else {
			seg, rest, _ = strings.Cut(rest, " ; ")
		}
		k, v, isKV := strings.Cut(seg, "=")
		switch {
		case !isKV || strings.Contains(k, " "):
			switch {
			case strings.Contains(seg, "incorrect password attempt"):
				action = "sudo_failure"
			case strings.Contains(seg, "NOT in sudoers"), strings.Contains(seg, "command not allowed"),
				strings.Contains(seg, "not allowed to execute"):
				action = "sudo_denied"
			}
		case k == "TTY":
			addStr(ev, "tty", v)
		case k == "PWD":
			addStr(ev, "pwd", v)
		case k == "USER":
			addStr(ev, "run_as", v)
		case k == "COMMAND":
			addStr(ev, "command", v)
			if action == "" {
				action = "sudo_command"
			}
		}
	}
	if action != "" {
		addStr(ev, "action", action)
		addStr(ev, "user", u)
	}
}

// suFields reads su's own lines.
func suFields(msg string, ev *store.Event) {
	m := strings.TrimSpace(msg)
	switch {
	case strings.HasPrefix(m, "Successful su for "), strings.HasPrefix(m, "FAILED su for "):
		// "Successful su for U by V"
		action, rest := "success", m[len("Successful su for "):]
		if m[0] == 'F' {
			action, rest = "failure", m[len("FAILED su for "):]
		}
		u, by, _ := strings.Cut(rest, " by ")
		addStr(ev, "action", action)
		addStr(ev, "user", u)
		addStr(ev, "src_user", by)
	case strings.HasPrefix(m, "(to "), strings.HasPrefix(m, "FAILED SU (to "):
		// util-linux: "(to U) V on TTY"; "FAILED SU (to U) V on TTY"
		action, rest := "success", m[len("(to "):]
		if m[0] == 'F' {
			action, rest = "failure", m[len("FAILED SU (to "):]
		}
		u, rest, ok := strings.Cut(rest, ") ")
		if !ok {
			return
		}
		by, tty, _ := strings.Cut(rest, " on ")
		addStr(ev, "action", action)
		addStr(ev, "user", u)
		addStr(ev, "src_user", by)
		addStr(ev, "tty", tty)
	case len(m) > 2 && (m[0] == '+' || m[0] == '-') && m[1] == ' ':
		// shadow's old "+ pts/0 V:U" and "- pts/0 V:U"
		tty, who, ok := strings.Cut(m[2:], " ")
		by, u, ok2 := strings.Cut(who, ":")
		if !ok || !ok2 {
			return
		}
		addStr(ev, "action", map[byte]string{'+': "success", '-': "failure"}[m[0]])
		addStr(ev, "user", u)
		addStr(ev, "src_user", by)
		addStr(ev, "tty", tty)
	}
}

// loginFields reads login's own lines.
func loginFields(msg string, ev *store.Event) {
	m := strings.TrimSpace(msg)
	switch {
	case strings.HasPrefix(m, "FAILED LOGIN "):
		// "FAILED LOGIN (1) on '/dev/tty1' FOR 'U', Authentication failure"
		// or "FAILED LOGIN 1 FROM tty1 FOR U, Authentication failure"
		addStr(ev, "action", "failure")
		if _, rest, ok := strings.Cut(m, " FOR "); ok {
			u, _, _ := strings.Cut(rest, ",")
			addStr(ev, "user", strings.Trim(u, "'"))
		}
		loginTTY(m, ev)
	case strings.HasPrefix(m, "ROOT LOGIN "):
		addStr(ev, "action", "success")
		addStr(ev, "user", "root")
		loginTTY(m, ev)
	case strings.HasPrefix(m, "LOGIN ON "):
		// "LOGIN ON tty1 BY U[ FROM H]"
		tty, rest, ok := strings.Cut(m[len("LOGIN ON "):], " BY ")
		if !ok {
			return
		}
		u, _, _ := strings.Cut(rest, " ")
		addStr(ev, "action", "success")
		addStr(ev, "user", u)
		addStr(ev, "tty", tty)
	}
}

// loginTTY reads the tty of "... on '/dev/tty1' ..." or "... FROM tty1 ...".
func loginTTY(m string, ev *store.Event) {
	if _, rest, ok := strings.Cut(m, " on '"); ok {
		tty, _, _ := strings.Cut(rest, "'")
		addStr(ev, "tty", strings.TrimPrefix(tty, "/dev/"))
	} else if _, rest, ok := strings.Cut(m, " FROM "); ok {
		tty, _, _ := strings.Cut(rest, " ")
		addStr(ev, "tty", tty)
	}
}

// accountFields reads useradd's "new user: name=U, ...", groupadd's "new
// group: name=G, ..." and userdel's "delete user 'U'".
func accountFields(app, msg string, ev *store.Event) {
	m := strings.TrimSpace(msg)
	switch {
	case strings.HasPrefix(m, "new user: name="):
		u, _, _ := strings.Cut(m[len("new user: name="):], ",")
		addStr(ev, "action", "user_add")
		addStr(ev, "user", u)
	case strings.HasPrefix(m, "new group: name="):
		g, _, _ := strings.Cut(m[len("new group: name="):], ",")
		addStr(ev, "action", "group_add")
		addStr(ev, "group", g)
	case strings.HasPrefix(m, "delete user '"):
		u, _, _ := strings.Cut(m[len("delete user '"):], "'")
		addStr(ev, "action", "user_delete")
		addStr(ev, "user", u)
	}
}

package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The demo's day of logs: a quiet company network with three attacks in
// it. Everything is generated from a fixed seed, so every run is the same.
var (
	demoDay   = time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC)
	demoUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "oscar", "peggy", "trent", "victor", "walter"}
	demoHosts = []string{"bastion", "web01", "web02", "db01"}
	demoPaths = []string{"/", "/index.html", "/login", "/api/v1/items", "/api/v1/items/42", "/static/app.js",
		"/static/style.css", "/images/logo.png", "/account", "/search?q=shoes", "/cart", "/checkout"}
	demoScan = []string{"/.env", "/wp-login.php", "/admin", "/phpmyadmin/", "/.git/config", "/backup.zip",
		"/config.php", "/server-status", "/cgi-bin/test.cgi", "/xmlrpc.php", "/etc/passwd", "/api/v1/../../etc/shadow"}
	demoAgents = []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"}
)

// demoAttack is an attack the demo injects, for the user (and the test)
// to check the hunts against.
type demoAttack struct {
	Kind, Source, Detail string
	Start, End           time.Time
}

var demoAttacks = []demoAttack{
	{"brute force", "203.0.113.77", "180 failed passwords for root", demoDay.Add(3*time.Hour + 12*time.Minute), demoDay.Add(3*time.Hour + 15*time.Minute)},
	{"password spray", "198.51.100.23", "one failed password each for 60 accounts", demoDay.Add(14*time.Hour + 40*time.Minute), demoDay.Add(14*time.Hour + 46*time.Minute)},
	{"404 scan", "192.0.2.45", "360 requests for admin pages and secrets", demoDay.Add(21*time.Hour + 5*time.Minute), demoDay.Add(21*time.Hour + 8*time.Minute)},
}

type demoLine struct {
	t    time.Time
	text string
}

// writeDemoLogs writes auth.log and access.log for the demo day into dir.
func writeDemoLogs(dir string) ([]string, error) {
	r := rand.New(rand.NewPCG(2025, 3))
	auth, web := demoAuth(r), demoWeb(r)
	var paths []string
	for name, lines := range map[string][]demoLine{"auth.log": auth, "access.log": web} {
		p := filepath.Join(dir, name)
		if err := writeDemoFile(p, lines); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths, nil
}

func writeDemoFile(path string, lines []demoLine) error {
	slices.SortStableFunc(lines, func(a, b demoLine) int { return a.t.Compare(b.t) })
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l.text)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// demoAuth is sshd, sudo and cron on four hosts: people log in through the
// day and now and then mistype a password; then the brute force and the
// spray.
func demoAuth(r *rand.Rand) []demoLine {
	var out []demoLine
	add := func(t time.Time, host, format string, args ...any) {
		out = append(out, demoLine{t, fmt.Sprintf("%s %s %s", t.Format(time.Stamp), host, fmt.Sprintf(format, args...))})
	}
	pid := func() int { return 1000 + r.IntN(60000) }
	for i := 0; i < 9000; i++ {
		t := demoDay.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		u, host := demoUsers[r.IntN(len(demoUsers))], demoHosts[r.IntN(len(demoHosts))]
		ip := fmt.Sprintf("10.0.%d.%d", r.IntN(4), 2+r.IntN(200))
		switch k := r.IntN(100); {
		case k < 8:
			add(t, host, "sshd[%d]: Failed password for %s from %s port %d ssh2", pid(), u, ip, 1024+r.IntN(60000))
		case k < 60:
			add(t, host, "sshd[%d]: Accepted password for %s from %s port %d ssh2", pid(), u, ip, 1024+r.IntN(60000))
		case k < 85:
			add(t, host, "sshd[%d]: pam_unix(sshd:session): session opened for user %s by (uid=0)", pid(), u)
		case k < 95:
			add(t, host, "sudo: %s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", u, u)
		default:
			add(t, host, "CRON[%d]: pam_unix(cron:session): session closed for user root", pid())
		}
	}
	bf, spray := demoAttacks[0], demoAttacks[1]
	for i := 0; i < 180; i++ {
		t := bf.Start.Add(time.Duration(i) * 3 * time.Minute / 180)
		add(t, "bastion", "sshd[%d]: Failed password for root from %s port %d ssh2", pid(), bf.Source, 40000+i)
	}
	for i := 0; i < 60; i++ {
		t := spray.Start.Add(time.Duration(i) * 6 * time.Minute / 60)
		user := demoUsers[i%len(demoUsers)]
		invalid := ""
		if i >= len(demoUsers) {
			user, invalid = fmt.Sprintf("%s%d", demoUsers[i%len(demoUsers)], i), "invalid user "
		}
		add(t, "bastion", "sshd[%d]: Failed password for %s%s from %s port %d ssh2", pid(), invalid, user, spray.Source, 50000+i)
	}
	return out
}

// demoWeb is a shop's access log: a few hundred clients browsing, then a
// scanner hunting for admin pages and secrets.
func demoWeb(r *rand.Rand) []demoLine {
	var out []demoLine
	add := func(t time.Time, ip, method, path string, status, size int, agent string) {
		out = append(out, demoLine{t, fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`,
			ip, t.Format("02/Jan/2006:15:04:05 -0700"), method, path, status, size, agent)})
	}
	for i := 0; i < 40000; i++ {
		t := demoDay.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		ip := fmt.Sprintf("10.1.%d.%d", r.IntN(2), 2+r.IntN(150))
		status := []int{200, 200, 200, 200, 200, 200, 200, 200, 304, 404}[r.IntN(10)]
		method := "GET"
		if r.IntN(10) == 0 {
			method = "POST"
		}
		add(t, ip, method, demoPaths[r.IntN(len(demoPaths))], status, 200+r.IntN(60000), demoAgents[r.IntN(len(demoAgents))])
	}
	scan := demoAttacks[2]
	for i := 0; i < 360; i++ {
		t := scan.Start.Add(time.Duration(i) * 3 * time.Minute / 360)
		path := demoScan[i%len(demoScan)]
		if i >= len(demoScan) {
			path += fmt.Sprintf("?id=%d", i)
		}
		add(t, scan.Source, "GET", path, []int{404, 404, 404, 403}[i%4], 150+r.IntN(250), "sqlmap/1.7.2#stable (https://sqlmap.org)")
	}
	return out
}

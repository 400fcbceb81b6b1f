// Package chtest starts ClickHouse servers for tests: in user space, on
// 127.0.0.1 at free ports, their data in a temporary directory, killed
// when the test ends. A test that calls it is skipped, with a message
// saying so, where clickhouse-server is not installed.
package chtest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is one running server.
type Server struct {
	URL      string // its HTTP interface, http://127.0.0.1:PORT
	TCPPort  int    // its native port (what remote_servers names)
	Dir      string
	Version  string
	HTTPPort int
}

// binary finds clickhouse-server, or skips the test.
func binary(t testing.TB) string {
	bin, err := exec.LookPath("clickhouse-server")
	if err == nil {
		return bin
	}
	if _, e := os.Stat("/usr/sbin/clickhouse-server"); e == nil {
		return "/usr/sbin/clickhouse-server"
	}
	t.Skip("clickhouse-server is not installed (apt-get install clickhouse-server, as .ci/run does); skipping the ClickHouse tests")
	return ""
}

// Start runs one server.
func Start(t testing.TB) *Server {
	t.Helper()
	return startOne(t, binary(t), FreePort(t), FreePort(t), "")
}

// StartCluster runs n servers, each with a remote_servers configuration
// naming a cluster of n shards (one replica each): the servers
// themselves, by their native ports.
func StartCluster(t testing.TB, name string, n int) []*Server {
	t.Helper()
	bin := binary(t)
	type ports struct{ http, tcp int }
	ps := make([]ports, n)
	var shards strings.Builder
	for i := range ps {
		ps[i] = ports{FreePort(t), FreePort(t)}
		fmt.Fprintf(&shards, "<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>", ps[i].tcp)
	}
	extra := fmt.Sprintf("<remote_servers><%[1]s>%[2]s</%[1]s></remote_servers>", name, shards.String())
	out := make([]*Server, n)
	var wg sync.WaitGroup
	for i := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = startOne(t, bin, ps[i].http, ps[i].tcp, extra)
		}()
	}
	wg.Wait()
	for _, s := range out {
		if s == nil {
			t.FailNow()
		}
	}
	return out
}

func startOne(t testing.TB, bin string, httpPort, tcpPort int, extra string) *Server {
	dir := t.TempDir()
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>%[1]s/server.log</log><errorlog>%[1]s/err.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>%[2]d</http_port>
  <tcp_port>%[3]d</tcp_port>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/tmp/</tmp_path>
  <user_files_path>%[1]s/user_files/</user_files_path>
  <format_schema_path>%[1]s/format_schemas/</format_schema_path>
  <mark_cache_size>5368709</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  %[4]s
</yandex>
`, dir, httpPort, tcpPort, extra)
	users := `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`
	os.WriteFile(filepath.Join(dir, "config.xml"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(dir, "users.xml"), []byte(users), 0o644)
	cmd := exec.Command(bin, "--config-file="+filepath.Join(dir, "config.xml"))
	cmd.Dir = dir
	logf, _ := os.Create(filepath.Join(dir, "stdout.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Skipf("clickhouse-server does not start: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", httpPort), HTTPPort: httpPort, TCPPort: tcpPort, Dir: dir}
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := Exec(s.URL, "SELECT version()")
		if err == nil {
			s.Version = strings.TrimSpace(v)
			t.Logf("ClickHouse %s on port %d", s.Version, httpPort)
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "err.log"))
			t.Errorf("clickhouse-server did not answer in 30s: %v\n%s", err, log)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Exec runs one statement over the HTTP interface and returns its answer.
func Exec(base, sql string) (string, error) {
	resp, err := http.Post(base+"/?query="+url.QueryEscape(sql), "text/plain", nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", sql, strings.TrimSpace(string(b)))
	}
	return string(b), nil
}

// FreePort returns a TCP port free on 127.0.0.1.
func FreePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

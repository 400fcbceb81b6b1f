package action

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

// receiver is a webhook receiver on 127.0.0.1 whose behaviour the test
// switches: "ok", "slow" (answers after 3s), "500", "redirect".
type receiver struct {
	mu        sync.Mutex
	mode      string
	delivered []delivery // answered 2xx
	tries     int
}

type delivery struct {
	key  string
	body []byte
}

func (rc *receiver) set(mode string) { rc.mu.Lock(); rc.mode = mode; rc.mu.Unlock() }

// seen returns the requests so far and the deliveries taken.
func (rc *receiver) seen() (int, []delivery) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.tries, slices.Clone(rc.delivered)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	rc.mu.Lock()
	mode := rc.mode
	rc.tries++
	rc.mu.Unlock()
	switch mode {
	case "slow":
		select {
		case <-time.After(3 * time.Second):
		case <-req.Context().Done():
			return
		}
	case "500":
		http.Error(w, "receiver broken", http.StatusInternalServerError)
		return
	case "redirect":
		http.Redirect(w, req, "http://192.0.2.1/elsewhere", http.StatusFound)
		return
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.delivered = append(rc.delivered, delivery{req.Header.Get("Idempotency-Key"), body})
	rc.mu.Unlock()
}

// serve serves rc on addr (a fixed 127.0.0.1 port, so that it can go
// down and come back) until the returned stop.
func serve(t *testing.T, addr string, rc *receiver) (stop func()) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment after a stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	return func() { srv.Close() }
}

// freeAddr is a 127.0.0.1 address nothing listens on (connection refused).
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestWebhookDownSlow500ThenDelivered(t *testing.T) {
	db, path := newDB(t)
	addr := freeAddr(t)
	url := "http://" + addr + "/hook"
	var errw syncBuf
	now := t0
	newRunner := func() *Runner {
		return &Runner{Stderr: &errw, Now: func() time.Time { return now }, Backoff: time.Minute, MaxBackoff: 10 * time.Minute}
	}
	r := newRunner()
	spec := alert.ActionSpec{Type: "webhook", URL: url, Timeout: 300 * time.Millisecond, Retries: 3}
	id := raise(t, db, r, ip, spec)
	rec := func() alert.ActionRecord { return get(t, db, id).Actions[0] }

	// Down: connection refused.
	run(t, db, r, now)
	if c := rec(); c.Status != alert.ActPending || c.Attempts != 1 || !strings.Contains(c.Detail, "connection refused") || !c.Next.Equal(now.Add(time.Minute)) {
		t.Fatalf("down: %+v", c)
	}
	// Not due yet: no attempt.
	run(t, db, r, now.Add(30*time.Second))
	if c := rec(); c.Attempts != 1 {
		t.Fatalf("tried before its backoff: %+v", c)
	}

	// Slow: no answer within the timeout.
	rc := &receiver{mode: "slow"}
	stop := serve(t, addr, rc)
	defer func() { stop() }()
	now = now.Add(time.Minute)
	start := time.Now()
	run(t, db, r, now)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("a slow receiver held Run %v with a 300ms timeout", took)
	}
	if c := rec(); c.Status != alert.ActPending || c.Attempts != 2 || !strings.Contains(c.Detail, "no answer within its 300ms timeout") || !c.Next.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("slow: %+v", c)
	}
	// Another alert for the slow receiver: one timeout per receiver per
	// run; the second webhook waits for the next run without an attempt.
	id2 := raise(t, db, r, map[string]string{"src_ip": "198.51.100.20"}, spec)
	id3 := raise(t, db, r, map[string]string{"src_ip": "198.51.100.21"}, spec)
	tries, _ := rc.seen()
	run(t, db, r, now)
	if n, _ := rc.seen(); n-tries != 1 {
		t.Fatalf("%d attempts at a slow receiver in one run, want 1", n)
	}
	if a, b := get(t, db, id2).Actions[0].Attempts, get(t, db, id3).Actions[0].Attempts; a+b != 1 {
		t.Fatalf("attempts %d and %d, want 1 in all", a, b)
	}

	// 500: the retries are spent; failed, but kept and tried again later.
	rc.set("500")
	now = now.Add(2 * time.Minute)
	run(t, db, r, now)
	if c := rec(); c.Status != alert.ActFailed || c.Attempts != 3 || !strings.Contains(c.Detail, "HTTP 500 Internal Server Error: receiver broken") || !c.Next.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("500: %+v", c)
	}
	if !strings.Contains(errw.String(), "failed 3 times") {
		t.Fatalf("no report of the failures: %q", errw.String())
	}
	// A restart while it waits: the queue is in the DB.
	db.Close()
	db = openDB(t, path)
	defer db.Close()
	r = newRunner()
	rc.set("ok")
	now = now.Add(10 * time.Minute)
	run(t, db, r, now)
	for i := 0; i < 5; i++ {
		now = now.Add(time.Hour)
		run(t, db, r, now)
	}
	c := rec()
	if c.Status != alert.ActDone || c.Attempts != 4 || !strings.Contains(c.Detail, "delivered to "+url+" (attempt 4)") {
		t.Fatalf("recovered: %+v", c)
	}
	tries, delivered := rc.seen()
	if len(delivered) != 3 {
		t.Fatalf("%d deliveries, want exactly 3 (one per alert)", len(delivered))
	}
	d := delivered[0]
	keys := map[string]int{}
	for _, d := range delivered {
		keys[d.key]++
	}
	if keys["loghunt-1-1"] != 1 || keys["loghunt-2-1"] != 1 || keys["loghunt-3-1"] != 1 {
		t.Fatalf("deliveries by key: %v", keys)
	}
	if d.key != "loghunt-1-1" {
		t.Fatalf("Idempotency-Key %q", d.key)
	}
	var got alert.Alert
	if err := json.Unmarshal(d.body, &got); err != nil || got.ID != id || got.Entity["src_ip"] != "203.0.113.7" || got.Count != 25 || got.Actions != nil {
		t.Fatalf("body %s: %+v %v", d.body, got, err)
	}
	if n, _, _ := Pending(db); n != 0 {
		t.Fatalf("%d queued after delivery", n)
	}
	t.Logf("receiver saw %d requests, %d delivered", tries, len(delivered))
}

func TestWebhookSlackAndRedirect(t *testing.T) {
	db, _ := newDB(t)
	addr := freeAddr(t)
	rc := &receiver{mode: "ok"}
	defer serve(t, addr, rc)()
	r := &Runner{Stderr: &syncBuf{}, Now: at(t0)}
	id := raise(t, db, r, ip, alert.ActionSpec{Type: "webhook", URL: "http://" + addr + "/slack", Slack: true})
	run(t, db, r, t0)
	_, delivered := rc.seen()
	if len(delivered) != 1 {
		t.Fatalf("deliveries %d", len(delivered))
	}
	var body map[string]string
	json.Unmarshal(delivered[0].body, &body)
	if len(body) != 1 || !strings.HasPrefix(body["text"], "loghunt alert 1 [high] ssh-brute-force src_ip=203.0.113.7: 25 events") {
		t.Fatalf("slack body %s", delivered[0].body)
	}
	if c := get(t, db, id).Actions[0]; c.Status != alert.ActDone {
		t.Fatalf("slack: %+v", c)
	}
	// A redirect is not followed: the connection goes to the configured URL only.
	rc.set("redirect")
	id = raise(t, db, r, map[string]string{"src_ip": "198.51.100.3"}, alert.ActionSpec{Type: "webhook", URL: "http://" + addr + "/moved"})
	run(t, db, r, t0)
	if c := get(t, db, id).Actions[0]; c.Status != alert.ActPending || !strings.Contains(c.Detail, "HTTP 302 Found to http://192.0.2.1/elsewhere (redirects are not followed)") {
		t.Fatalf("redirect: %+v", c)
	}
	// Not http(s): refused without a connection.
	id = raise(t, db, r, map[string]string{"src_ip": "198.51.100.5"}, alert.ActionSpec{Type: "webhook", URL: "file:///etc/passwd"})
	run(t, db, r, t0)
	if c := get(t, db, id).Actions[0]; !strings.Contains(c.Detail, "only http and https URLs") {
		t.Fatalf("file URL: %+v", c)
	}
}

// TestRunOpenHoldsNoLock: RunOpen keeps the DB closed while a webhook
// waits for a slow receiver and while a command runs, so a reader opens
// it meanwhile; Run, which keeps it open, makes the reader wait (the
// control).
func TestRunOpenHoldsNoLock(t *testing.T) {
	db, path := newDB(t)
	addr := freeAddr(t)
	rc := &receiver{mode: "slow"}
	defer serve(t, addr, rc)()
	r := &Runner{Act: true, Stderr: &syncBuf{}, Now: at(t0)}
	hook := raise(t, db, r, ip, alert.ActionSpec{Type: "webhook", URL: "http://" + addr + "/hook", Timeout: 1500 * time.Millisecond})
	cmd := raise(t, db, r, map[string]string{"src_ip": "198.51.100.40"}, execSpec("sleep", "1.5"))
	db.Close()
	open := func() (*store.DB, error) { return store.Open(path, store.OpenOptions{}) }
	readWhile := func(run func() error) (opened int, err error) {
		done := make(chan error, 1)
		go func() { done <- run() }()
		for {
			select {
			case err := <-done:
				return opened, err
			case <-time.After(400 * time.Millisecond):
			}
			rdb, err := store.Open(path, store.OpenOptions{ReadOnly: true, Wait: 100 * time.Millisecond})
			if err == nil {
				opened++
				rdb.Close()
			}
		}
	}
	opened, err := readWhile(func() error { return r.RunOpen(t.Context(), open, t0) })
	if err != nil {
		t.Fatal(err)
	}
	if opened < 4 {
		t.Fatalf("a reader opened the DB %d times in 3s of RunOpen, want at least 4", opened)
	}
	db = openDB(t, path)
	if c := get(t, db, hook).Actions[0]; c.Attempts != 1 || !strings.Contains(c.Detail, "no answer") {
		t.Fatalf("webhook: %+v", c)
	}
	if c := get(t, db, cmd).Actions[0]; c.Status != alert.ActDone {
		t.Fatalf("exec: %+v", c)
	}
	// The control: Run keeps the DB open through the slow attempt.
	opened, err = readWhile(func() error { defer db.Close(); return r.Run(t.Context(), db, t0.Add(time.Hour)) })
	if err != nil {
		t.Fatal(err)
	}
	if opened != 0 {
		t.Fatalf("a reader opened the DB %d times while Run held it", opened)
	}
}

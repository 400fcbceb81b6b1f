package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"loghunt/alert"
	"loghunt/store"
)

// IdempotencyKey is the Idempotency-Key header of the webhook of action
// index (0-based) of alert id: the same on every attempt, so a receiver
// can drop a second delivery (after a crash between the delivery and its
// record).
func IdempotencyKey(id uint64, index int) string {
	return fmt.Sprintf("loghunt-%d-%d", id, index+1)
}

// client is the webhook client: no proxy (the connection goes to the
// configured URL only), no redirects followed, no connections kept.
var client = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// webhookBody is what a webhook posts: the alert without its action
// records, or {"text": ...} for Slack.
func webhookBody(a *alert.Alert, slack bool) []byte {
	if slack {
		b, _ := json.Marshal(map[string]string{"text": "loghunt " + summary(a)})
		return b
	}
	c := *a
	c.Actions = nil
	b, _ := json.Marshal(&c)
	return b
}

// post makes one delivery attempt.
func (r *Runner) post(ctx context.Context, url string, body []byte, key string, timeout time.Duration) error {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%s: only http and https URLs", url)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "loghunt")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("no answer within its %s timeout", timeout)
		}
		return err
	}
	defer resp.Body.Close()
	var msg capped
	io.Copy(&msg, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		s := fmt.Sprintf("HTTP %s", resp.Status)
		if loc := resp.Header.Get("Location"); loc != "" {
			s += " to " + loc + " (redirects are not followed)"
		}
		if m := msg.String(); m != "" {
			s += ": " + m
		}
		return errors.New(s)
	}
	return nil
}

// doWebhook makes one attempt at a due webhook and records it: done, or
// pending (failed, retried after a backoff doubling from Backoff) and,
// once the action's retries are spent, failed (still retried, every
// MaxBackoff). A webhook is never dropped.
//
// It reports whether the receiver took it; the error is the DB's.
func (r *Runner) doWebhook(ctx context.Context, db access, a *alert.Alert, index int, now time.Time) (took bool, dberr error) {
	spec := a.Actions[index].Spec
	timeout := timeoutOr(spec.Timeout, DefaultWebhookTimout)
	err := r.post(ctx, spec.URL, webhookBody(a, spec.Slack), IdempotencyKey(a.ID, index), timeout)
	if err != nil && ctx.Err() != nil {
		return false, nil // stopping: not an attempt; it stays queued as it was
	}
	dberr = change(db, a.ID, index, func(a *alert.Alert, rec *alert.ActionRecord, queue *store.Records) error {
		rec.Attempts++
		rec.At = now
		if err == nil {
			rec.Status, rec.Detail, rec.Next = alert.ActDone, fmt.Sprintf("delivered to %s (attempt %d)", spec.URL, rec.Attempts), time.Time{}
			return queue.Delete(queueKey(a.ID, index, false))
		}
		retries := spec.Retries
		if retries <= 0 {
			retries = DefaultRetries
		}
		rec.Next = now.Add(r.backoff(rec.Attempts))
		rec.Status = alert.ActPending
		if rec.Attempts >= retries {
			rec.Status = alert.ActFailed
			rec.Next = now.Add(r.maxBackoff())
		}
		rec.Detail = fmt.Sprintf("attempt %d to %s failed: %v; next try at %s", rec.Attempts, spec.URL, err, rec.Next.Format(time.RFC3339))
		if rec.Attempts == retries {
			r.reportf("alert %d action %d: webhook %s failed %d times (%v); it is kept and tried again every %s", a.ID, index+1, spec.URL, rec.Attempts, err, r.maxBackoff())
		}
		return putQueued(queue, a.ID, index, false, queued{Due: rec.Next})
	})
	return err == nil, dberr
}

func (r *Runner) maxBackoff() time.Duration { return timeoutOr(r.MaxBackoff, DefaultMaxBackoff) }

// backoff is the wait after the n-th failed attempt: Backoff × 2^(n-1),
// at most MaxBackoff.
func (r *Runner) backoff(n int) time.Duration {
	d, max := timeoutOr(r.Backoff, DefaultBackoff), r.maxBackoff()
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

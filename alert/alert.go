// Package alert holds what loghunt's detection raises and what it did
// about it: alerts (one per rule and entity while the rule's suppression
// window keeps it open), their state, and the records of the actions
// taken for them. Rules (package rules) produce Findings; watch and
// detect turn them into Alerts through this package; actions (package
// action) run what a tier asks for and record results here.
//
// Alerts are kept in the store's record bucket "alerts" (store.Records),
// written in the same transaction as the detection progress that found
// them, so that a crash never loses or doubles one.
package alert

import "time"

// Severity tiers, in increasing order.
const (
	Low    = "low"
	Medium = "medium"
	High   = "high"
)

// States of an alert.
const (
	StateNew    = "new"
	StateAcked  = "acknowledged"
	StateClosed = "closed"
)

// A Finding is what one rule found for one entity in one evaluation of
// its window.
type Finding struct {
	Rule     string            // the rule's name
	Severity string            // Low, Medium or High: the tier reached
	Entity   map[string]string // entity field -> value, e.g. src_ip -> 203.0.113.7
	First    int64             // event time (Unix ns) of the first contributing event
	Last     int64             // event time of the last contributing event
	Count    int64             // contributing events
	Score    float64           // anomaly_score when the rule scores, else 0
	Reason   string            // anomaly_reason or the rule's own account
	Query    string            // the query that found it, as run (with its time range)
	Events   []EventRef        // references to contributing events (bounded)
	Actions  []ActionSpec      // the actions of the tier reached
	Suppress time.Duration     // the rule's suppression window
}

// EventRef points at one contributing event: the source it came from and
// its time, enough to pull it (and the events around it) up again with a
// query.
type EventRef struct {
	Source string `json:"source"`
	Time   int64  `json:"time"`
}

// An ActionSpec is one action of a rule's tier, as the rule file wrote it.
type ActionSpec struct {
	Type    string        `json:"type"`              // log, webhook or exec
	URL     string        `json:"url,omitempty"`     // webhook
	Slack   bool          `json:"slack,omitempty"`   // webhook: Slack-style {"text": ...} body
	File    string        `json:"file,omitempty"`    // log: JSON-lines file (stderr always)
	Argv    []string      `json:"argv,omitempty"`    // exec: argv template, {field} filled from the alert
	Undo    []string      `json:"undo,omitempty"`    // exec: argv that reverses it when For expires
	For     time.Duration `json:"for,omitempty"`     // how long the action holds before Undo
	Timeout time.Duration `json:"timeout,omitempty"` // exec, webhook: per attempt
	Retries int           `json:"retries,omitempty"` // webhook: attempts before it waits for a later retry
	Allow   []string      `json:"allow,omitempty"`   // the rule's allow-list (CIDRs, addresses, user:NAME, host:NAME), on top of the global one
}

// An Alert is a stored alert.
type Alert struct {
	ID       uint64            `json:"id"`
	Rule     string            `json:"rule"`
	Severity string            `json:"severity"`
	Entity   map[string]string `json:"entity"`
	First    time.Time         `json:"first"`
	Last     time.Time         `json:"last"`
	Count    int64             `json:"count"`
	Score    float64           `json:"score"`
	Value    float64           `json:"value,omitempty"` // the threshold column's value of the strongest detection
	Reason   string            `json:"reason"`
	Query    string            `json:"query"`
	Events   []EventRef        `json:"events"`
	State    string            `json:"state"`
	Actions  []ActionRecord    `json:"actions"`
}

// An ActionRecord is one action taken (or simulated, or refused) for an
// alert, with its outcome.
type ActionRecord struct {
	Spec     ActionSpec `json:"spec"`
	Status   string     `json:"status"`         // done, simulated, failed, pending, skipped (allow-list, throttle), undone
	Detail   string     `json:"detail"`         // what ran ("would run nft add ..."), the error, why skipped
	At       time.Time  `json:"at"`             // when it last changed (wall clock)
	Attempts int        `json:"attempts"`       // webhook deliveries tried
	Until    time.Time  `json:"until,omitzero"` // when For expires and Undo runs
}

package action

// Help is the actions' account, for .help actions in the REPL.
const Help = `actions (what a rule's tier does about an alert: watch --rules, alerts undo)

  log: FILE             a line on stderr and a JSON line appended to FILE (0600)
  webhook: URL          POST the alert's JSON (slack: true: {"text": ...}); timeout: per
                        attempt (10s), retries: attempts (3), waiting 1s, 2s, ... between;
                        then failed but kept, tried again every 5m; never dropped.
                        Header Idempotency-Key: loghunt-ID-N (the same on every attempt)
  exec: [argv]          run without a shell, {field} filled from the entity or the alert
                        ({ {src_ip} } -> { 203.0.113.7 }); timeout: killed at it (30s)
    undo: [argv]        run when for: expires (also after a restart), or now with
    for: 1h             'loghunt alerts undo ID'; repeat offenders hold for x2, x4, ...
                        (at most 7 days; the count restarts 24h after the last hold ended)

Safety: exec is simulated ("would run ...") unless watch --act; an allow-list
(watch --allow FILE with 'allow: [10.0.0.0/8, user:backup, host:bastion, FIELD=VALUE]',
plus the rule's allow:) is checked before every action of every kind, when planned
and again when due, and a match is recorded as skipped; one exec or webhook of the same spec per entity per
10 minutes of event time (throttle; log lines are never throttled), and none while the same action's hold on
the entity is active.
An exec runs at most once: recorded running before it starts, and a running one
found after a crash is marked interrupted, never rerun. Webhooks and log lines are
at least once. Statuses: pending, running, done, simulated, failed, interrupted,
skipped, undone.`

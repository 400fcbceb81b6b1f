package rules

// Help is the rule format, for .help rules in the REPL.
const Help = `rules (detection rules: loghunt rules check, detect, watch --rules)

A rule is a YAML file (.yml or .yaml; a directory holds many):

  name: ssh-brute-force                 # unique: it keys the alerts
  description: Twenty or more failed SSH logins from one address in 5 minutes.
  query: action=failure auth_method=password | stats count by src_ip
  window: 5m        # look-back, in event time
  every: 1m         # schedule, in event time (boundaries on multiples since the epoch; default 1m)
  entity: [src_ip]  # the fields an alert is about: group the query by them
  severity:         # a threshold per tier on a result column; the highest met wins
    low: count >= 20
    medium: count >= 50
    high: count >= 100
  suppress: 30m     # a re-detection within this of the open alert's last event updates it (default: window)
  allow: [10.0.0.0/8, user:backup, host:bastion]   # optional, on top of the global allow-list
  actions:          # per tier: log, webhook, exec
    low: [{log: alerts.jsonl}]
    medium: [{webhook: "http://127.0.0.1:9000/hook", slack: true, timeout: 5s, retries: 3}]
    high:
      - exec: ["nft", "add", "element", "inet", "filter", "blocklist", "{ {src_ip} }"]
        undo: ["nft", "delete", "element", "inet", "filter", "blocklist", "{ {src_ip} }"]
        for: 1h
        timeout: 10s

Every 'every' the rule runs its query on [boundary - window, boundary) once the
newest event has reached the boundary; thresholds may be on count, any numeric
column (attempts, users, ...) or anomaly_score ('| anomalies model=NAME' scores
with a saved model). A rule whose thresholds are counts or distinct counts
(> or >=) also runs on the window still open, so it alerts before the window
closes. Alerts (.alerts, loghunt alerts) count the entity's events that the
query's search part matches between their first and last event. Templates
{field} in exec fill in an entity field or id, rule, severity, count, first,
last, score, reason, state. loghunt rules check PATH checks rules; loghunt
detect --rules PATH replays them over the database.`

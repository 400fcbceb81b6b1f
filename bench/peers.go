package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// timePeers times the peers that are installed and says how to install
// the others.
func timePeers(c *config, hour [2]time.Time) []result {
	var res []result
	res = append(res, timeDuckDB(c, hour)...)
	if _, err := exec.LookPath("lnav"); err != nil {
		fmt.Fprintln(os.Stderr, "lnav: not installed (apt-get install lnav)")
	} else {
		q := ";SELECT c_ip, count(*) AS n FROM access_log WHERE sc_status = 404 GROUP BY c_ip ORDER BY n DESC, c_ip LIMIT 5"
		if secs, rss, out, err := timed("lnav", "-n", "-c", q, c.access); err == nil {
			res = append(res, result{"lnav", "top404", secs, rss, firstRow(out)})
		} else {
			fmt.Fprintln(os.Stderr, "lnav:", err)
		}
	}
	seed, _ := filepath.Abs(filepath.Join("..", "shared", "bench", "seed_pipeline.py"))
	py := "python3"
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		py = "/usr/bin/python3" // Debian's, where python3-sklearn installs
	}
	if err := exec.Command(py, "-c", "import pandas, sklearn").Run(); err != nil {
		fmt.Fprintln(os.Stderr, "pandas + scikit-learn: not installed (apt-get install python3-pandas python3-sklearn)")
	} else if _, err := os.Stat(seed); err == nil {
		if secs, rss, out, err := timed(py, seed, c.auth); err == nil {
			res = append(res, result{"pandas+sklearn", "hunt", secs, rss, firstRow(out)})
		} else {
			fmt.Fprintln(os.Stderr, "seed pipeline:", err)
		}
	}
	return res
}

// timeDuckDB loads the access log into a DuckDB table and asks the same
// questions, with @duckdb/node-api from DIR/node_modules.
func timeDuckDB(c *config, hour [2]time.Time) []result {
	if _, err := os.Stat(filepath.Join(c.dir, "node_modules", "@duckdb", "node-api")); err != nil {
		fmt.Fprintf(os.Stderr, "DuckDB: not installed (npm install --prefix %s @duckdb/node-api)\n", c.dir)
		return nil
	}
	script := filepath.Join(c.dir, "duckdb.mjs")
	if err := os.WriteFile(script, duckScript, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "DuckDB:", err)
		return nil
	}
	// Like loghunt's, each time is the median of runs: a load into a new
	// database, then the questions.
	db := filepath.Join(c.dir, "peer.duckdb")
	times := map[string][]float64{}
	notes := map[string]string{}
	var order []string
	var rss float64
	for range c.runs {
		os.Remove(db)
		os.Remove(db + ".wal")
		_, r, out, err := timed("node", script, c.access, db, hour[0].Format(time.RFC3339), hour[1].Format(time.RFC3339))
		if err != nil {
			fmt.Fprintln(os.Stderr, "DuckDB:", err)
			return nil
		}
		rss = max(rss, r)
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var step struct {
				Step string
				Ms   float64
				Rows [][]string
			}
			if json.Unmarshal(sc.Bytes(), &step) != nil {
				continue
			}
			if _, ok := times[step.Step]; !ok {
				order = append(order, step.Step)
			}
			times[step.Step] = append(times[step.Step], step.Ms/1000)
			if len(step.Rows) > 0 {
				notes[step.Step] = strings.Join(step.Rows[0], ",")
			}
		}
	}
	var res []result
	for _, name := range order {
		t := times[name]
		slices.Sort(t)
		res = append(res, result{"duckdb", name, t[len(t)/2], rss, notes[name]})
	}
	if fi, err := os.Stat(db); err == nil {
		raw, _ := os.Stat(c.access)
		res = append(res, result{"duckdb", "store %", 100 * float64(fi.Size()) / float64(raw.Size()), 0, fmt.Sprintf("%.0f MB", float64(fi.Size())/1e6)})
	}
	return res
}

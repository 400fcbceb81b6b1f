package query

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// AnomaliesCmd fits an Isolation Forest (or scores with a saved model)
// and adds anomaly_score, is_anomaly and anomaly_reason to every row.
// See SPEC §3 "anomalies" for the meaning of each option.
type AnomaliesCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'anomalies':Stage @@*"`
	Features []*Field  `parser:"( @@ ( ','? @@ )* )?"`
	By       *Field    `parser:"( 'by':Keyword @@ )?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Contamination float64 // contamination=C, 0 < C <= 0.5; default 0.01; unused when Auto
	Auto          bool    // contamination=auto: flag score > 0.5
	Trees         int     // trees=N, default 100
	Sample        int     // sample=N (ψ), default 256
	Seed          int64   // seed=N, default 1
	Method        string  // method=iforest (default) or mad
	Save          string  // save=NAME: store the fitted model
	Model         string  // model=NAME: score with a stored model
}

// anomalyMethods are the values method= takes.
var anomalyMethods = []string{"iforest", "mad"}

func (*AnomaliesCmd) command()                   {}
func (c *AnomaliesCmd) Position() lexer.Position { return c.Pos }

func (c *AnomaliesCmd) String() string {
	parts := []string{"anomalies"}
	if len(c.Options) > 0 {
		parts = append(parts, optionList(c.Options))
	}
	if len(c.Features) > 0 {
		parts = append(parts, fieldList(c.Features))
	}
	if c.By != nil {
		parts = append(parts, "by "+c.By.String())
	}
	if len(c.Trailing) > 0 {
		parts = append(parts, optionList(c.Trailing))
	}
	return strings.Join(parts, " ")
}

func (c *AnomaliesCmd) check() *posError {
	opts, err := checkOptions("anomalies", c.Options, c.Trailing)
	if err != nil {
		return err
	}
	if err := c.checkContamination(opts["contamination"]); err != nil {
		return err
	}
	if c.Trees, err = opts.int("trees", 100, 1); err != nil {
		return err
	}
	if c.Sample, err = opts.int("sample", 256, 2); err != nil {
		return err
	}
	seed, err := opts.int("seed", 1, 0)
	if err != nil {
		return err
	}
	c.Seed = int64(seed)
	c.Method = strings.ToLower(opts.text("method", "iforest"))
	if o := opts["method"]; o != nil && c.Method != "iforest" && c.Method != "mad" {
		return errorfAt(o.valueOffset(), "unknown method %q%s", o.Value, didYouMean(c.Method, anomalyMethods))
	}
	c.Save, c.Model = opts.text("save", ""), opts.text("model", "")
	if c.Save != "" && c.Model != "" {
		return errorfAt(opts["model"].Pos.Offset, "give either save= or model=, not both")
	}
	return nil
}

func (c *AnomaliesCmd) checkContamination(o *Option) *posError {
	c.Contamination = 0.01
	if o == nil {
		return nil
	}
	v := strings.ToLower(string(o.Value))
	if v == "auto" {
		c.Auto = true
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0 && f <= 0.5) {
		return errorfAt(o.valueOffset(), "contamination must be auto or a number above 0 and at most 0.5, not %q", o.Value)
	}
	c.Contamination = f
	return nil
}

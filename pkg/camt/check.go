package camt

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// endStatement runs the checks of the statement that just ended and adds
// their findings. The file is always read whole. Severity follows the one
// policy of every statement reader (statement.IntegritySeverity): a
// statement's own figures that its entries contradict (closing balance,
// TxsSummry) are errors in an end-of-day statement and warnings in an
// intraday report; currencies that differ are warnings.
func (r *Reader) endStatement() {
	c := r.cur
	if c == nil {
		return
	}
	r.cur = nil
	if p := r.part; p != nil && p.partial && c == p.cont {
		// the parts before hold the rest of its sums: ReadParallel
		// checks it and puts the findings here
		p.ended, p.endAt = true, len(r.findings)
		return
	}
	st := c.st
	op, cl := st.Opening, st.Closing
	booked, credits, debits := c.booked.Decimal(), c.credits.Decimal(), c.debits.Decimal()

	// Currency consistency of balances and account.
	acct := st.Account.Currency
	if op != nil && cl != nil && op.Currency != cl.Currency {
		r.add(finding.Warning, c.closingLine, c.closingPath.String()+"/Amt", cl.Currency, RuleCurrency,
			"closing balance currency %s differs from the opening balance currency %s", cl.Currency, op.Currency)
	} else if acct != "" {
		for _, b := range []struct {
			bal  string
			ccy  string
			path elPath
		}{{"opening", ccyOf(op), c.openingPath}, {"closing", ccyOf(cl), c.closingPath}} {
			if b.ccy != "" && b.ccy != acct {
				r.add(finding.Warning, st.Line, b.path.String()+"/Amt", b.ccy, RuleCurrency,
					"%s balance currency %s differs from the account currency %s", b.bal, b.ccy, acct)
			}
		}
	}

	integrity := statement.IntegritySeverity(r.msg.kind)

	// Opening balance + booked entries = closing balance.
	if r.msg.balanced && op != nil && cl != nil && op.Currency == cl.Currency && !c.mixedCurrency &&
		(c.entryCurrency == "" || c.entryCurrency == cl.Currency) {
		want := op.Amount.Add(booked)
		if !want.Equal(cl.Amount) {
			r.add(integrity, c.closingLine, c.closingPath.String()+"/Amt", c.closingRaw, RuleBalance,
				"closing balance %s does not equal opening balance %s plus %d booked entries (%s) = %s; difference %s",
				cl.Amount.String(), op.Amount.String(), c.nBooked, booked.String(), want.String(), cl.Amount.Sub(want).String())
		}
	}

	// TxsSummry against the entries read.
	if s := c.summary; s != nil {
		path := c.path + "/TxsSummry"
		if n := strings.TrimSpace(s.TtlNtries.NbOfNtries); n != "" {
			if k, err := strconv.Atoi(n); err == nil && k != c.nNtr {
				r.add(integrity, c.summaryLine, path+"/TtlNtries/NbOfNtries", n, RuleSummary,
					"states %d entries, the statement holds %d", k, c.nNtr)
			}
		}
		if n := strings.TrimSpace(s.TtlNtries.Sum); n != "" && !c.mixedCurrency {
			// Sum of all entry amounts regardless of sign (ISO definition).
			if d, _, _, ok := parseDecimal([]byte(n), false); ok && !d.Equal(credits.Add(debits)) {
				r.add(integrity, c.summaryLine, path+"/TtlNtries/Sum", n, RuleSummary,
					"states a sum of %s, the entries add up to %s", n, credits.Add(debits).String())
			}
		}
		r.checkTotal(integrity, !c.mixedCurrency, s.TtlCdtNtries, c.nCred, credits, path+"/TtlCdtNtries", "credit", c.summaryLine)
		r.checkTotal(integrity, !c.mixedCurrency, s.TtlDbtNtries, c.nDebit, debits, path+"/TtlDbtNtries", "debit", c.summaryLine)
	}
}

func (r *Reader) checkTotal(sev finding.Severity, sums bool, t *numberAndSum, n int, sum decimal.Decimal, path, what string, line int) {
	if t == nil {
		return
	}
	if c := strings.TrimSpace(t.NbOfNtries); c != "" {
		if k, err := strconv.Atoi(c); err == nil && k != n {
			r.add(sev, line, path+"/NbOfNtries", c, RuleSummary,
				"states %d %s entries, the statement holds %d", k, what, n)
		}
	}
	if v := strings.TrimSpace(t.Sum); v != "" && sums {
		if d, _, _, ok := parseDecimal([]byte(strings.TrimPrefix(v, "-")), false); ok && !d.Equal(sum) {
			r.add(sev, line, path+"/Sum", v, RuleSummary,
				"states %s entries summing to %s, they add up to %s", what, v, sum.String())
		}
	}
}

func ccyOf(b *statement.Balance) string {
	if b == nil {
		return ""
	}
	return b.Currency
}

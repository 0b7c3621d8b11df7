#!/usr/bin/env python3
"""Writes the European due-collection fixtures of this folder: the same five
collections as Excel and ERP exports on European desks save them. Written by
us (no outside data); run from this folder to regenerate."""

HEADER = ["end_to_end_id", "mandate_id", "mandate_signed_on", "sequence_type", "amount",
          "debtor_name", "debtor_iban", "remittance"]
ROWS = [
    ["EU-1", "MNDT-1", "2023-03-14", "RCUR", "25,00", "Chloé Lefèvre", "BE07 3630 0123 4566", "Facture novembre"],
    ["EU-2", "MNDT-2", "2022-06-30", "RCUR", "1.299,95", "François Dubois", "BE38143099887772", "Contrat 2026"],
    ["EU-3", "MNDT-3", "2021-01-11", "FRST", "1.234.567,89", "Müller Bäckerei GmbH", "DE62370400440532013001", "Jahresrechnung"],
    ["EU-4", "MNDT-4", "2024-09-05", "RCUR", "0,10", "Pieter de Vries", "NL20INGB0001234567", "Afronding"],
    ["EU-5", "MNDT-5", "2020-02-20", "OOFF", "7", "Zoë Åkesson", "BE25973123456782", "Raccordement"],
]


def write(name, sep, encoding, eol, bom=False, amount=lambda a: a, quote=False):
    lines = [sep.join(HEADER)]
    for r in ROWS:
        r = list(r)
        r[4] = amount(r[4])
        if quote:
            r = ['"%s"' % f if sep in f else f for f in r]
        lines.append(sep.join(r))
    data = (eol.join(lines) + eol).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(name, "wb") as f:
        f.write(data)


def dot(a):  # 1.234.567,89 -> 1,234,567.89
    return a.replace(".", "\0").replace(",", ".").replace("\0", ",")


# Excel "CSV UTF-8" on a Belgian desk: BOM, CRLF, ';', decimal comma.
write("due-semicolon-bom-crlf.csv", ";", "utf-8", "\r\n", bom=True)
# Excel "CSV (semicolon delimited)" on Windows: Windows-1252, CRLF.
write("due-semicolon-cp1252.csv", ";", "cp1252", "\r\n")
# An older ERP export: ISO 8859-1, ';', LF.
write("due-semicolon-latin1.csv", ";", "latin-1", "\n")
# Excel "Text (Tab delimited)", saved as UTF-8: tab, decimal comma.
write("due-tab.txt", "\t", "utf-8", "\r\n")
# A US-style export: ',', decimal point, thousands quoted (1,234,567.89).
write("due-comma-thousands.csv", ",", "utf-8", "\n", amount=dot, quote=True)


def write_rows(name, sep, amounts):
    lines = [sep.join(HEADER)]
    for r, a in zip(ROWS, amounts):
        r = list(r)
        r[4] = '"%s"' % a if sep in a else a
        lines.append(sep.join(r))
    with open(name, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))


# Amounts that read two ways, or in the other notation: refused, located.
write_rows("due-semicolon-ambiguous.csv", ";", ["1.234", "12.50", "1.23,00", "1,005", "25,00"])
write_rows("due-comma-ambiguous.csv", ",", ["1,234", "25,00", "1.234,56", "25.00", "1,234.5"])

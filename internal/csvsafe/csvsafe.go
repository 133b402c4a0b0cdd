// Package csvsafe makes text cells of CSV output safe to open in a spreadsheet.
//
// Spreadsheets read a cell that begins with "=", "+", "-" or "@" as a formula
// (and some strip a leading tab or carriage return first), so a model name,
// API key or user label taken from a file someone else wrote could run a
// formula when the report is opened ("CSV injection"). Text puts a "'" before
// such a cell, which spreadsheets show as text. Numbers the program writes
// itself (counts, amounts, negative credits included) are not text cells and
// are written as they are.
package csvsafe

// Text returns s, with a leading "'" when it begins with "=", "+", "-", "@",
// a tab or a carriage return.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Texts applies Text to every cell of row, in place, and returns row.
func Texts(row []string) []string {
	for i, c := range row {
		row[i] = Text(c)
	}
	return row
}

package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// bom makes Excel read the file as UTF-8; without it, Chinese comes out
// as mojibake in the Excel most managers use.
const bom = "\ufeff"

// WriteCSV writes a report as CSV: a byte-order mark, a header of the
// JSON field names, one line per row and a last line for the total.
// Times are in the report's zone, in a form Excel reads as a date.
func WriteCSV[R any](w io.Writer, rep *Report[R]) error {
	loc, err := time.LoadLocation(rep.Zone)
	if err != nil {
		loc = time.FixedZone(rep.Zone, 8*3600)
	}
	rows := make([][]string, 0, len(rep.Rows)+2)
	rows = append(rows, columns(reflect.TypeFor[R]()))
	for _, r := range append(rep.Rows, rep.Total) {
		rows = append(rows, cells(reflect.ValueOf(r), loc))
	}
	return writeAll(w, rows)
}

func writeAll(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes, and reads best
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// columns names a row type's columns by their JSON names. A struct field
// (other than a time) is spread into one column per field of its own,
// prefixed with its name and a dot unless it is embedded; an array into
// one column per element (ratings.1 … ratings.5). Unexported fields are
// no columns.
func columns(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		prefix := name + "."
		if f.Anonymous {
			prefix = ""
		}
		switch {
		case spread(f.Type):
			for _, c := range columns(f.Type) {
				out = append(out, prefix+c)
			}
		case f.Type.Kind() == reflect.Array:
			for j := range f.Type.Len() {
				out = append(out, name+"."+strconv.Itoa(j+1))
			}
		default:
			out = append(out, name)
		}
	}
	return out
}

// spread reports whether a field's type is a struct of several columns.
func spread(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]()
}

// cells are a row's values, in the order of columns.
func cells(v reflect.Value, loc *time.Location) []string {
	var out []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		switch {
		case spread(f.Type):
			out = append(out, cells(v.Field(i), loc)...)
		case f.Type.Kind() == reflect.Array:
			for j := range f.Type.Len() {
				out = append(out, cell(v.Field(i).Index(j), loc))
			}
		default:
			out = append(out, cell(v.Field(i), loc))
		}
	}
	return out
}

func cell(f reflect.Value, loc *time.Location) string {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	switch x := f.Interface().(type) {
	case time.Time:
		return x.In(loc).Format(time.DateTime)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return safe(x)
	case fmt.Stringer:
		return safe(x.String())
	}
	switch f.Kind() {
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.String:
		return safe(f.String())
	}
	return safe(fmt.Sprint(f.Interface()))
}

// safe keeps a spreadsheet from running a cell as a formula: a text that
// starts like one (an agent named "=HYPERLINK(…)") gets a leading quote,
// as OWASP advises for CSV injection.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

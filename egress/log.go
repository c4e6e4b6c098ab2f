package egress

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
)

// LogHandler wraps h so that the message and every attribute of a log
// record are masked before h writes them: logs leave the process too (to
// a collector, to whoever reads them), and a log line is written far from
// where its values came from. String values are masked; errors and
// Stringers as their text; any other value through its JSON form.
func LogHandler(h slog.Handler) slog.Handler { return &logHandler{h: h} }

type logHandler struct{ h slog.Handler }

func (l *logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.h.Enabled(ctx, level)
}

func (l *logHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Mask(r.Message).s, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return l.h.Handle(ctx, out)
}

func (l *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a)
	}
	return &logHandler{h: l.h.WithAttrs(masked)}
}

func (l *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{h: l.h.WithGroup(name)}
}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Mask(v.String()).s)
	case slog.KindGroup:
		g := v.Group()
		masked := make([]any, len(g))
		for i, e := range g {
			masked[i] = maskAttr(e)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Mask(x.Error()).s)
		case fmt.Stringer:
			return slog.String(a.Key, Mask(x.String()).s)
		}
		b, err := json.Marshal(v.Any())
		if err != nil {
			return slog.String(a.Key, Mask(fmt.Sprint(v.Any())).s)
		}
		var decoded any
		if json.Unmarshal(b, &decoded) != nil {
			return slog.String(a.Key, Mask(string(b)).s)
		}
		masked, err := maskValue(decoded)
		if err != nil {
			return slog.String(a.Key, Mask(string(b)).s)
		}
		return slog.Any(a.Key, masked)
	}
	return slog.Attr{Key: a.Key, Value: v}
}

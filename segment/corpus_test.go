package segment

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// corpusCap bounds the benchmark corpus: enough text for stable MB/s figures
// in a few seconds per pass.
const corpusCap = 4 << 20

// sharedDataDir is ../shared/data beside the repository root, seen from this
// package's directory, where go test runs. The evaluation data is not part of
// the repository (and must never be copied into it), so its absence skips the
// tests and benchmarks that need it instead of failing them.
var sharedDataDir = filepath.Join("..", "..", "shared", "data")

var corpus = sync.OnceValues(func() ([]string, error) { return loadCorpus(sharedDataDir) })

// benchCorpus returns the documents of every *.jsonl under the shared data,
// one string each, taken round robin across the files (so that short queries,
// reviews and long government replies are all represented) up to corpusCap
// bytes. Runs of white space inside a document become one space, so that a
// document is one line for the jieba peer too.
func benchCorpus(tb testing.TB) []string {
	tb.Helper()
	if st, err := os.Stat(sharedDataDir); err != nil || !st.IsDir() {
		tb.Skipf("SKIP: no shared evaluation data at %s (../shared/data beside the repository root)", sharedDataDir)
	}
	docs, err := corpus()
	if err != nil {
		tb.Fatal(err)
	}
	if len(docs) == 0 {
		tb.Skipf("SKIP: no *.jsonl documents under %s", sharedDataDir)
	}
	return docs
}

func loadCorpus(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.jsonl"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var perFile [][]string
	for _, f := range files {
		docs, err := readDocs(f)
		if err != nil {
			return nil, err
		}
		perFile = append(perFile, docs)
	}
	var out []string
	size := 0
	for i := 0; size < corpusCap; i++ {
		more := false
		for _, docs := range perFile {
			if i < len(docs) && size < corpusCap {
				out = append(out, docs[i])
				size += len(docs[i]) + 1
				more = true
			}
		}
		if !more {
			break
		}
	}
	return out, nil
}

// readDocs reads the text of each line of a JSON Lines file: "text", or
// "title" and "body" joined by a space.
func readDocs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<26)
	for sc.Scan() {
		var rec struct{ Text, Title, Body string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, err
		}
		doc := strings.Join(strings.Fields(strings.TrimSpace(rec.Title+" "+rec.Body+" "+rec.Text)), " ")
		if doc != "" {
			docs = append(docs, doc)
		}
	}
	return docs, sc.Err()
}

// corpusBytes counts the bytes of the documents without line ends, as the
// jieba peer does, so the MB/s figures compare.
func corpusBytes(docs []string) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return n
}

// TestWriteCorpus writes the benchmark corpus, one document a line, to the
// file named by $SEGMENT_CORPUS_OUT, for bench_peer.sh to give the jieba peer
// exactly the text the benchmarks cut.
func TestWriteCorpus(t *testing.T) {
	out := os.Getenv("SEGMENT_CORPUS_OUT")
	if out == "" {
		t.Skip("set SEGMENT_CORPUS_OUT to write the benchmark corpus (bench_peer.sh does)")
	}
	docs := benchCorpus(t)
	if err := os.WriteFile(out, []byte(strings.Join(docs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d documents, %d bytes, to %s", len(docs), corpusBytes(docs), out)
}

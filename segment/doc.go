// Package segment turns Chinese (and mixed Chinese-Latin) text into the
// words and index terms that the rules, the classifier, the bleve index and
// the evaluation share, so that all of them see the same words.
//
// Text is normalised first (Normalize: full-width to half-width, traditional
// to simplified with OpenCC's tables, lower case, one space), then cut per
// clause as gse's plain Cut cuts it, with gse's embedded simplified-Chinese
// dictionary, a built-in customer-service dictionary and a user dictionary
// that can be edited while the service runs. The cut is the lexicon's, a
// rebuild of gse's dictionary and shortest path that gives the same words
// (the tests compare every text of the shared data) and loads without the
// search-mode data gse computes for every word; gse itself serves only the
// HMM mode. Words serves classification; Tokens serves the index and
// adds the dictionary words inside long words (手机号码 → 手机号, 手机, 号码) at
// the same position so that a search for part of a compound finds it.
//
// A Segmenter holds a dictionary of 350,000 words (see BenchmarkNew for its
// load time and size; gse's own took 130 MiB): make one in cmd and pass it
// down. The package has no mutable global state.
package segment

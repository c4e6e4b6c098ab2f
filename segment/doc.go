// Package segment turns Chinese (and mixed Chinese-Latin) text into the
// words and index terms that the rules, the classifier, the bleve index and
// the evaluation share, so that all of them see the same words.
//
// Text is normalised first (Normalize: full-width to half-width, traditional
// to simplified with OpenCC's tables, lower case, one space), then cut per
// clause by gse with its embedded simplified-Chinese dictionary, a built-in
// customer-service dictionary and a user dictionary that can be edited while
// the service runs. Words serves classification; Tokens serves the index and
// adds the dictionary words inside long words (手机号码 → 手机号, 手机, 号码) at
// the same position so that a search for part of a compound finds it.
//
// A Segmenter holds gse's dictionary (about 130 MiB, 1.5 s to load): make
// one in cmd and pass it down. The package has no mutable global state.
package segment

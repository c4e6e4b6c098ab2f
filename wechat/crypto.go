package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/triagehq/triage"
)

// The protocol's fixed sizes ("加解密方案说明"): the EncodingAESKey is 43
// base64 characters that decode, with a "=" appended, to a 32-byte
// AES-256 key; the plaintext starts with 16 random bytes and a 4-byte
// big-endian length and is padded with PKCS#7 to a multiple of 32 bytes
// (not AES's 16: every official sample pads to 32).
const (
	encodingAESKeyLen = 43
	aesKeyLen         = 32
	randomLen         = 16
	padBlock          = 32
	// MaxEncryptLen bounds the base64 Encrypt value accepted: far above a
	// notification (a few hundred bytes) and an echostr, far below what
	// would let a caller make us decrypt megabytes.
	MaxEncryptLen = 64 << 10
)

// Refusals of Crypto and Callback. They are wrapped in *triage.Error, so
// both errors.Is(err, ErrBadSignature) and triage.ErrorCode(err) work.
var (
	// ErrBadSignature: msg_signature is not SHA1 over the sorted token,
	// timestamp, nonce and payload.
	ErrBadSignature = errors.New("wechat: bad msg_signature")
	// ErrWrongReceiver: the decrypted receiveid is not this corp id.
	ErrWrongReceiver = errors.New("wechat: message is for another receiver")
	// ErrMalformed: the payload cannot be base64-decoded, decrypted,
	// unpadded or parsed.
	ErrMalformed = errors.New("wechat: malformed payload")
	// ErrStale: the timestamp is outside the accepted window.
	ErrStale = errors.New("wechat: timestamp outside the accepted window")
	// ErrReplay: this signed request was already accepted.
	ErrReplay = errors.New("wechat: replayed request")
)

// Crypto implements 企业微信's callback crypto for one receiver: the token
// and EncodingAESKey set on the callback page, and the receiveid (the corp
// id for 微信客服 callbacks). It holds no mutable state and is safe for
// concurrent use.
type Crypto struct {
	token     string
	key       []byte
	receiveID string
	random    io.Reader
}

// NewCrypto checks the three values an admin copies from 企业微信 and
// returns their Crypto. Errors are triage.EINVALID naming the field.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" || len(token) > 128 || !isVisibleASCII(token) {
		// The admin page generates 32 letters and digits; accept any
		// visible ASCII so a hand-typed token is not refused here.
		return nil, triage.Invalid("token", "token must be 1 to 128 visible ASCII characters, as set on the 企业微信 callback page")
	}
	key, err := DecodeAESKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	if receiveID == "" {
		return nil, triage.Invalid("corp_id", "corp_id is required")
	}
	return &Crypto{token: token, key: key, receiveID: receiveID, random: rand.Reader}, nil
}

// DecodeAESKey turns an EncodingAESKey into the 32-byte AES key.
func DecodeAESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != encodingAESKeyLen || !isAlnum(encodingAESKey) {
		return nil, triage.Invalid("encoding_aes_key", "encoding_aes_key must be the 43 letters and digits shown on the 企业微信 callback page")
	}
	// StdEncoding (not Strict): a key whose last character carries
	// non-zero spare bits is what 企业微信 generated and must be accepted.
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != aesKeyLen {
		return nil, triage.Invalid("encoding_aes_key", "encoding_aes_key is not valid base64 of a 32-byte key")
	}
	return key, nil
}

// Signature is msg_signature: the hex SHA1 of the token, timestamp, nonce
// and payload, sorted as strings and concatenated.
func Signature(token, timestamp, nonce, payload string) string {
	parts := []string{token, timestamp, nonce, payload}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify reports whether signature signs timestamp, nonce and payload with
// this Crypto's token, comparing in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, payload string) bool {
	want := Signature(c.token, timestamp, nonce, payload)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) == 1
}

// Open checks the signature, decrypts payload (the base64 Encrypt value or
// echostr) and checks that it was meant for this receiver. The signature
// is checked first, so a forger learns nothing from how decryption fails.
func (c *Crypto) Open(signature, timestamp, nonce, payload string) ([]byte, error) {
	if !c.Verify(signature, timestamp, nonce, payload) {
		return nil, refuse(triage.EUNAUTHORIZED, ErrBadSignature, "msg_signature does not match")
	}
	return c.decrypt(payload)
}

// decrypt is Open after the signature check.
func (c *Crypto) decrypt(payload string) ([]byte, error) {
	msg, receiver, err := Decrypt(c.key, payload)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(receiver), []byte(c.receiveID)) != 1 {
		return nil, refuse(triage.EFORBIDDEN, ErrWrongReceiver, "the message is for another corp id")
	}
	return msg, nil
}

// Seal encrypts msg for this receiver with fresh random bytes and signs it
// with timestamp and nonce: what 企业微信 does before calling a callback
// URL, and what a passive reply does.
func (c *Crypto) Seal(msg []byte, timestamp, nonce string) (encrypt, signature string, err error) {
	var random [randomLen]byte
	if _, err := io.ReadFull(c.random, random[:]); err != nil {
		return "", "", fmt.Errorf("wechat: random bytes: %w", err)
	}
	encrypt, err = Encrypt(c.key, random[:], msg, c.receiveID)
	if err != nil {
		return "", "", err
	}
	return encrypt, Signature(c.token, timestamp, nonce, encrypt), nil
}

// Encrypt is the protocol's AES step: base64(AES-256-CBC(key, iv=key[:16],
// PKCS#7-to-32(random(16) + len(msg) as 4 bytes big-endian + msg +
// receiveID))). random must be 16 bytes; it is a parameter so the
// documented test vectors can be reproduced.
func Encrypt(key, random, msg []byte, receiveID string) (string, error) {
	if len(key) != aesKeyLen {
		return "", fmt.Errorf("wechat: AES key is %d bytes, want %d", len(key), aesKeyLen)
	}
	if len(random) != randomLen {
		return "", fmt.Errorf("wechat: random prefix is %d bytes, want %d", len(random), randomLen)
	}
	if uint64(len(msg)) > 1<<31 {
		return "", errors.New("wechat: message too long")
	}
	n := randomLen + 4 + len(msg) + len(receiveID)
	pad := padBlock - n%padBlock // 1..32: a full block when n is a multiple
	plain := make([]byte, 0, n+pad)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, receiveID...)
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}

// Decrypt reverses Encrypt and returns the message and the receiveid that
// followed it. Every way the payload can be wrong is an ErrMalformed
// refusal, never a panic.
func Decrypt(key []byte, encrypt string) (msg []byte, receiveID string, err error) {
	bad := func(why string) ([]byte, string, error) {
		return nil, "", refuse(triage.EINVALID, ErrMalformed, "encrypted payload: "+why)
	}
	if len(key) != aesKeyLen {
		return bad("wrong key length")
	}
	if len(encrypt) == 0 || len(encrypt) > MaxEncryptLen {
		return bad("empty or too long")
	}
	raw, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return bad("not base64")
	}
	if len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return bad("not whole AES blocks")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return bad("bad key")
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > padBlock || pad > len(plain) {
		return bad("bad padding")
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return bad("bad padding")
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < randomLen+4 {
		return bad("too short")
	}
	n := binary.BigEndian.Uint32(plain[randomLen : randomLen+4])
	rest := plain[randomLen+4:]
	if uint64(n) > uint64(len(rest)) {
		return bad("length field past the end")
	}
	return rest[:n], string(rest[n:]), nil
}

func refuse(code string, sentinel error, message string) error {
	return &triage.Error{Code: code, Message: message, Err: sentinel}
}

func isVisibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

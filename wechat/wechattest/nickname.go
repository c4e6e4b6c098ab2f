package wechattest

import (
	"encoding/json"
	"net/http"

	"github.com/triagehq/triage/wechat"
)

// SetNickname gives a customer (external_userid) the 微信 nickname that
// kf/customer/batchget returns for them.
func (s *Server) SetNickname(user, nickname string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nicknames[user] = nickname
}

// customerBatchget: kf/customer/batchget. 1 to 100 external_userids; a
// customer is known once they wrote to an account or were given a
// nickname; the others are listed in invalid_external_userid.
func (s *Server) customerBatchget(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		List []string `json:"external_userid_list"`
	}
	if json.Unmarshal(body, &req) != nil {
		writeErr(w, wechat.CodeInvalidParameter, "Warning: wrong json format.")
		return
	}
	if len(req.List) == 0 || len(req.List) > wechat.MaxBatchCustomers {
		writeErr(w, wechat.CodeInvalidParameter, "invalid external_userid_list size") // assumed errcode
		return
	}
	known := map[string]bool{}
	for k := range s.sessions {
		known[k.user] = true
	}
	list, invalid := []map[string]any{}, []string{}
	for _, u := range req.List {
		name, ok := s.nicknames[u]
		if !ok && !known[u] {
			invalid = append(invalid, u)
			continue
		}
		list = append(list, map[string]any{"external_userid": u, "nickname": name, "avatar": "", "gender": 0, "unionid": ""})
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "customer_list": list, "invalid_external_userid": invalid})
}

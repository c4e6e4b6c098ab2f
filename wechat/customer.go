package wechat

import (
	"context"

	"github.com/triagehq/triage"
)

// MaxBatchCustomers is kf/customer/batchget's largest list.
const MaxBatchCustomers = 100

// CustomerInfo is a customer as kf/customer/batchget describes them.
type CustomerInfo struct {
	ExternalUserID string `json:"external_userid"`
	Nickname       string `json:"nickname"`
	Avatar         string `json:"avatar"`
	Gender         int    `json:"gender"`
	UnionID        string `json:"unionid"`
}

// Customers reads the customers' nicknames (kf/customer/batchget), in
// calls of at most MaxBatchCustomers. Ids 企业微信 does not know (never
// wrote to the corp's accounts, or beyond 48 hours of it) are left out of
// the answer, not an error.
func (c *Client) Customers(ctx context.Context, externalUserIDs []string) ([]CustomerInfo, error) {
	var out []CustomerInfo
	for i := 0; i < len(externalUserIDs); i += MaxBatchCustomers {
		part := externalUserIDs[i:min(i+MaxBatchCustomers, len(externalUserIDs))]
		for _, id := range part {
			if id == "" || len(id) > 64 {
				return nil, triage.Invalid("external_userid", "external_userid %q is not an id of a customer", id)
			}
		}
		var ans struct {
			CustomerList []CustomerInfo `json:"customer_list"`
		}
		body := struct {
			List    []string `json:"external_userid_list"`
			Context int      `json:"need_enter_session_context"`
		}{part, 0}
		if err := c.postJSON(ctx, "kf/customer/batchget", body, &ans); err != nil {
			return nil, err
		}
		out = append(out, ans.CustomerList...)
	}
	return out, nil
}

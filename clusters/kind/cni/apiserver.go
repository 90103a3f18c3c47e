package cni

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// APILister lists nodes with one GET /api/v1/nodes, authenticated by the pod's service account.
// The agent needs nothing else of the API, and client-go would cost the cold node-image build
// minutes of compile and the image 30 MB.
type APILister struct {
	Host      string // https://host:port
	TokenFile string // the service account token (re-read each time: it is rotated)
	Client    *http.Client
}

// NewAPILister trusts the CA in caFile for host.
func NewAPILister(host, caFile, tokenFile string) (*APILister, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &APILister{Host: strings.TrimSuffix(host, "/"), TokenFile: tokenFile, Client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}, nil
}

// nodeList is the part of a v1 NodeList the agent reads.
type nodeList struct {
	Items []struct {
		Metadata struct{ Name string } `json:"metadata"`
		Spec     struct {
			PodCIDR  string   `json:"podCIDR"`
			PodCIDRs []string `json:"podCIDRs"`
		} `json:"spec"`
		Status struct {
			Addresses []struct{ Type, Address string } `json:"addresses"`
		} `json:"status"`
	} `json:"items"`
}

// List implements NodeLister.
func (l *APILister) List(ctx context.Context) ([]Node, error) {
	token, err := os.ReadFile(l.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.Host+"/api/v1/nodes", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Accept", "application/json")
	resp, err := l.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/nodes: %s", resp.Status)
	}
	var list nodeList
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, fmt.Errorf("decoding nodes: %w", err)
	}
	out := make([]Node, 0, len(list.Items))
	for _, it := range list.Items {
		n := Node{Name: it.Metadata.Name, PodCIDRs: it.Spec.PodCIDRs}
		if len(n.PodCIDRs) == 0 && it.Spec.PodCIDR != "" {
			n.PodCIDRs = []string{it.Spec.PodCIDR}
		}
		for _, a := range it.Status.Addresses {
			if a.Type == "InternalIP" && n.InternalIP == "" {
				n.InternalIP = a.Address
			}
		}
		out = append(out, n)
	}
	return out, nil
}

package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Clean deletes every namespace meshlab made on the cluster (labelled
// app.kubernetes.io/managed-by=meshlab), as runs that were SIGKILLed leave them, and waits until
// they are gone; it returns the namespaces it removed, sorted.
func Clean(ctx context.Context, kubeconfig, kubeContext string) ([]string, error) {
	cfg, err := RestConfig(kubeconfig, kubeContext)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := reachable(ctx, client, cfg); err != nil {
		return nil, err
	}
	list, err := client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: LabelManagedBy + "=" + ManagedBy})
	if err != nil {
		return nil, fmt.Errorf("listing meshlab's namespaces: %w", err)
	}
	var (
		mu      sync.Mutex
		removed []string
		errs    []error
		wg      sync.WaitGroup
	)
	for _, ns := range list.Items {
		wg.Go(func() {
			err := client.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{})
			if err == nil {
				err = waitGone(ctx, client, ns.Name)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("namespace %s: %w", ns.Name, err))
				return
			}
			removed = append(removed, ns.Name)
		})
	}
	wg.Wait()
	slices.Sort(removed)
	return removed, errors.Join(errs...)
}

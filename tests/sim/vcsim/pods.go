// Datastore clusters (StoragePods) for the suites: -pods makes them at
// start-up, and podRewriter works around one simulator quirk.
//
//	-pods 'SP_ON=LocalDS_1+LocalDS_2,SP_OFF:off=LocalDS_3'
//
// makes, in every datacenter's datastore folder, the datastore cluster
// SP_ON holding LocalDS_1 and LocalDS_2 (Storage DRS on: the simulator's
// default) and SP_OFF holding LocalDS_3 with Storage DRS turned off.
//
// The quirk: the simulator's datastore file service (/folder/...) finds
// the datastore named by dsName in the datastore folder only, so a pod
// member addressed by its plain name answers 404, where a real vCenter
// finds it.  podRewriter, in front of the simulator, turns dsName=DS into
// dsName=POD/DS for the members of the pods it made (test set-up only:
// the CPI sends what it sends to a real vCenter).
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

type podSpec struct {
	name    string
	sdrsOff bool
	members []string
}

func parsePods(s string) ([]podSpec, error) {
	var out []podSpec
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		eq := strings.Index(entry, "=")
		if eq <= 0 || eq == len(entry)-1 {
			return nil, fmt.Errorf("%q: want NAME[:off]=DS[+DS...]",
				entry)
		}
		p := podSpec{name: entry[:eq]}
		if strings.HasSuffix(p.name, ":off") {
			p.name = strings.TrimSuffix(p.name, ":off")
			p.sdrsOff = true
		}
		if p.name == "" || strings.ContainsAny(p.name, ":/") {
			return nil, fmt.Errorf("%q: bad pod name", entry)
		}
		for _, ds := range strings.Split(entry[eq+1:], "+") {
			if ds == "" {
				return nil, errors.New("empty datastore name")
			}
			p.members = append(p.members, ds)
		}
		out = append(out, p)
	}
	return out, nil
}

// makePods makes the pods in every datacenter; the members map (datastore
// name to pod name) feeds podRewriter.
func makePods(ctx context.Context, u *url.URL, pods []podSpec) (
	map[string]string, error) {
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return nil, fmt.Errorf("connect: %v", err)
	}
	defer func() { _ = c.Logout(ctx) }()

	members := map[string]string{}
	f := find.NewFinder(c.Client, false)
	dcs, err := f.DatacenterList(ctx, "*")
	if err != nil {
		return nil, fmt.Errorf("datacenters: %v", err)
	}
	srm := object.NewStorageResourceManager(c.Client)
	for _, dc := range dcs {
		f.SetDatacenter(dc)
		folders, err := dc.Folders(ctx)
		if err != nil {
			return nil, fmt.Errorf("folders of %s: %v", dc.Name(), err)
		}
		for _, p := range pods {
			if err := makePod(ctx, f, folders.DatastoreFolder, srm,
				p); err != nil {
				return nil, fmt.Errorf("pod %s in %s: %v", p.name,
					dc.Name(), err)
			}
			for _, ds := range p.members {
				members[ds] = p.name
			}
		}
	}
	return members, nil
}

func makePod(ctx context.Context, f *find.Finder, folder *object.Folder,
	srm *object.StorageResourceManager, p podSpec) error {
	pod, err := folder.CreateStoragePod(ctx, p.name)
	if err != nil {
		return err
	}
	var refs []types.ManagedObjectReference
	for _, name := range p.members {
		ds, err := f.Datastore(ctx, name)
		if err != nil {
			return err
		}
		refs = append(refs, ds.Reference())
	}
	task, err := pod.MoveInto(ctx, refs)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil || !p.sdrsOff {
		return err
	}
	off := false
	spec := types.StorageDrsConfigSpec{
		PodConfigSpec: &types.StorageDrsPodConfigSpec{Enabled: &off},
	}
	task, err = srm.ConfigureStorageDrsForPod(ctx, pod, spec, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	return err
}

type podRewriter struct {
	members map[string]string
	next    http.Handler
}

func (p *podRewriter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/folder/") {
		q := r.URL.Query()
		ds := q.Get("dsName")
		if pod, ok := p.members[ds]; ok {
			q.Set("dsName", pod+"/"+ds)
			r.URL.RawQuery = q.Encode()
		}
	}
	p.next.ServeHTTP(w, r)
}

package io.asyncwatch.demo;

import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A plan's events, one minute at a time: the scenarios shape the minute, then the normal traffic is generated
 * (and rewritten where a scenario asked), the scenarios' own events join it, and the minute is sorted by timestamp.
 * Only one minute is held in memory.
 */
final class TrafficStream implements Iterator<Generated> {

    private final Plan plan;
    private final Random random;
    private final RequestFactory requests;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final NormalTraffic normal;
    private final ClusterTraffic clusters;
    private final List<Generated> minute = new ArrayList<>();
    private int nextMinute;
    private int index;

    TrafficStream(Plan plan) {
        this.plan = plan;
        this.random = new Random(plan.seed());
        this.requests = new RequestFactory(random);
        plan.services().forEach(s -> services.put(s.name(), s));
        this.normal = new NormalTraffic(plan.services(), services, random, requests);
        this.clusters = new ClusterTraffic(plan.clusters(), random);
    }

    @Override
    public boolean hasNext() {
        while (index >= minute.size() && nextMinute < plan.minutes()) {
            fill(nextMinute++);
        }
        return index < minute.size();
    }

    @Override
    public Generated next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return minute.get(index++);
    }

    private void fill(int m) {
        minute.clear();
        index = 0;
        Minute ctx = new Minute(m, plan.startTime() + m * 60_000L, random, requests, services);
        for (Scenario s : plan.scenarios()) {
            s.minute(ctx);
        }
        Consumer<Generated> normalOut = g -> {
            Generated r = ctx.rewritten(g);
            if (r != null) {
                minute.add(r);
            }
        };
        normal.minute(ctx, normalOut);
        clusters.minute(ctx, normalOut);
        minute.addAll(ctx.added());
        minute.sort(Comparator.comparingLong(Generated::timestamp));
    }
}

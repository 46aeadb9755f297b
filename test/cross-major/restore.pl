# The second half of test/cross-major/run, on a newer major: the dump
# that dump.pl made, restored into a fresh cluster, gives the answers it
# recorded, and one more change of each kind gets the ids it would have
# got in the source.

use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::RealBin/../tap";
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use RbacTest;
use Test::More;

my $dir = $ENV{RBAC_CROSS_MAJOR_DIR} or BAIL_OUT('RBAC_CROSS_MAJOR_DIR is not set');
my $record = JSON::PP->new->utf8->decode(PostgreSQL::Test::Utils::slurp_file("$dir/answers.json"));

my $restored = restore_dump('restored', $dir);
my $target = $restored->safe_psql('postgres', q{SELECT 'PostgreSQL ' || current_setting('server_version')});
note("a dump of $record->{source}, restored into $target");
check_restored($restored, $record->{answers}, $record->{keys}, $record->{source});

my $max_grant = $restored->safe_psql('postgres', 'SELECT max(id) FROM rbac.grants');
my $ids = next_ids($restored);
is($ids, $record->{next_ids},
	"new grants, roles, audit rows and keys get the ids they got in $record->{source}");
cmp_ok((split /\n/, $ids)[0], '>', $max_grant, 'past every restored id');

$restored->stop;
done_testing();
